package dev.parity.api.bench;

import dev.parity.ingest.local.LocalPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.ingest.local.ProcCpu;
import dev.parity.reconciler.model.Side;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The PostgreSQL pair with logical replication, pgbench updating one random {@code pgbench_accounts} row per transaction. */
final class PgbenchLoad implements KeepUpLoad {
    private static final int CLIENTS = 4;

    private final PostgresPair pg = PostgresPair.start();
    private final Path pgbench;
    private final int rows;
    private List<String> base;

    PgbenchLoad(Path pgbench, int rows) {
        this.pgbench = pgbench;
        this.rows = rows;
    }

    @Override
    public String describe() {
        return String.format("PostgreSQL pair (pgbench_accounts %,d rows, single-row updates, %d clients)", rows, CLIENTS);
    }

    @Override
    public LocalPair pair() {
        return pg;
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String table() {
        return "public.pgbench_accounts";
    }

    @Override
    public List<Long> serverPids() throws Exception {
        List<Long> out = new ArrayList<>();
        for (Side side : Side.values()) {
            long postmaster = pg.serverPid(side);
            out.add(postmaster);
            out.addAll(ProcCpu.children(postmaster));
        }
        return out;
    }

    @Override
    public void prepare() throws Exception {
        PgbenchAccounts.create(pg, rows, "keepup");
        base = PgbenchAccounts.updates(pg, pgbench, rows, CLIENTS);
    }

    @Override
    public List<String> command(int seconds, long rate) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of("-T", Integer.toString(seconds)));
        if (rate > 0) {
            out.addAll(List.of("-R", Long.toString(rate)));
        }
        out.add("postgres");
        return out;
    }

    @Override
    public double tps(String output) {
        return PgbenchAccounts.tps(output);
    }

    @Override
    public void close() throws Exception {
        pg.close();
    }
}
