package dev.parity.api.bench;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.LocalPair;
import dev.parity.ingest.local.ProcCpu;
import dev.parity.reconciler.model.Side;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A MariaDB or MySQL pair (GTID replica, ROW binlogs), sysbench's {@code oltp_update_index} on one {@code sbtest1} table:
 * one indexed-column update of a random row per transaction, as the issue measured.
 */
final class SysbenchLoad implements KeepUpLoad {
    private static final int THREADS = 4;

    private final Engine engine;
    private final BinlogPair pair;
    private final Path sysbench;
    private final int rows;

    SysbenchLoad(Engine engine, Path sysbench, int rows) {
        this.engine = engine;
        this.pair = BinlogPair.start(engine, "sbtest");
        this.sysbench = sysbench;
        this.rows = rows;
    }

    @Override
    public String describe() {
        return String.format("%s pair (sysbench oltp_update_index, sbtest1 of %,d rows, %d threads)", engine == Engine.MYSQL ? "MySQL" : "MariaDB", rows, THREADS);
    }

    @Override
    public LocalPair pair() {
        return pair;
    }

    @Override
    public String user() {
        return "root";
    }

    @Override
    public String table() {
        return "sbtest.sbtest1";
    }

    @Override
    public List<Long> serverPids() throws Exception {
        List<Long> out = new ArrayList<>();
        for (String url : List.of(pair.sourceUrl(), pair.targetUrl())) {
            int port = new Endpoint(Side.SOURCE, url, "root", null).location(3306).port();
            long pid = ProcCpu.withArgument("--port=" + port);
            if (pid < 0) {
                throw new IllegalStateException("no server process with --port=" + port + " found in /proc");
            }
            out.add(pid);
        }
        return out;
    }

    @Override
    public void prepare() throws Exception {
        pair.onSource(HeartbeatWriter.ddl("sbtest.parity_heartbeat"));
        List<String> prepare = base();
        prepare.add("prepare");
        BenchProcess.run(prepare);
        while (pair.count(Side.TARGET, "sbtest.sbtest1") < rows) {
            Thread.sleep(200);
        }
    }

    @Override
    public List<String> command(int seconds, long rate) {
        List<String> out = base();
        out.addAll(List.of("--threads=" + THREADS, "--time=" + seconds, "--rate=" + rate, "--report-interval=0", "run"));
        return out;
    }

    private List<String> base() {
        Endpoint.Location loc = new Endpoint(Side.SOURCE, pair.sourceUrl(), "root", null).location(3306);
        return new ArrayList<>(List.of(sysbench.toString(), "--db-driver=mysql", "--mysql-host=" + loc.host(), "--mysql-port=" + loc.port(),
                "--mysql-user=root", "--mysql-db=sbtest", "--tables=1", "--table-size=" + rows, "--mysql-ssl=off", "oltp_update_index"));
    }

    /** sysbench's "transactions: N (X per sec.)" line. */
    @Override
    public double tps(String output) {
        return output.lines().map(String::trim).filter(l -> l.startsWith("transactions:")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.indexOf('(') + 1).split(" ")[0]))
                .orElseThrow(() -> new IllegalStateException("sysbench reported no transactions: " + output));
    }

    @Override
    public void close() throws Exception {
        pair.close();
    }
}
