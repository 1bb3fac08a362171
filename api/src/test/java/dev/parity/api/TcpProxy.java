package dev.parity.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy between Parity and a database server, for network faults: {@link #cut()} resets every connection
 * and refuses new ones; {@link #blackHole()} keeps every connection open but passes nothing either way, and
 * accepts new ones without ever reaching the server (a silent network, a dead firewall state); {@link #restore()}
 * passes traffic again, for new connections (old ones stay as the fault left them, as on a real network).
 */
final class TcpProxy implements AutoCloseable {
    private enum Mode { PASS, CUT, BLACK_HOLE }

    private final ServerSocket listener;
    private final InetSocketAddress server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;
    private final Thread acceptor;

    TcpProxy(String host, int port) throws IOException {
        this.server = new InetSocketAddress(host, port);
        this.listener = new ServerSocket(0);
        this.acceptor = new Thread(this::accept, "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Every connection reset; new ones closed at once. */
    void cut() {
        mode = Mode.CUT;
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0); // RST, as a dropped route or a restarted middlebox answers
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
        open.clear();
    }

    /** Nothing passes, nothing is closed: every read on either side waits. */
    void blackHole() {
        mode = Mode.BLACK_HOLE;
    }

    void restore() {
        mode = Mode.PASS;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (mode == Mode.CUT) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                open.add(client);
                if (mode == Mode.BLACK_HOLE) {
                    continue; // accepted, never connected onwards
                }
                Socket upstream = new Socket();
                upstream.connect(server, 5_000);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // a refused upstream or a closed listener: the client sees its connection close
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while (mode == Mode.BLACK_HOLE) {
                        Thread.sleep(100); // held, not dropped: the bytes wait with the network
                    }
                    if (mode == Mode.CUT) {
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed by a cut or by either end
            } finally {
                close(from);
                close(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
