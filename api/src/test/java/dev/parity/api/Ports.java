package dev.parity.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers a test stops and starts again on the same port (a restarted database, broker or Parity). A port
 * the system hands out ({@code new ServerSocket(0)}) comes from the ephemeral range, which every outgoing connection
 * also draws from: while the server is down, any client in the test JVMs may take it as its local port and the
 * restart fails with "address already in use". These come from below that range (Linux: 32768 and up), checked free.
 */
public final class Ports {
    private Ports() {
    }

    public static int stable() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port between 20000 and 32000");
    }
}
