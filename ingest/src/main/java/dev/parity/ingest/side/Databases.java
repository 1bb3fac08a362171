package dev.parity.ingest.side;

import dev.parity.reconciler.model.Side;
import java.util.Objects;

/** Both sides' databases: the port a workflow takes to read them. */
public record Databases(SideDatabase source, SideDatabase target) {
    public Databases {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }

    public SideDatabase of(Side side) {
        return side == Side.SOURCE ? source : target;
    }
}
