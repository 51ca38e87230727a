package dev.strand.metrics;

import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;

import java.util.HashMap;
import java.util.Map;

/**
 * One client connection's requests, timed from arrival to answer. Used by the connection's actor only (not
 * thread-safe). Holds at most {@link ProtocolLimits#MAX_REQUESTS_IN_FLIGHT} start times: a request beyond that
 * is not timed, whatever the connection does.
 */
public final class ConnectionMetrics {
    private final StrandMetrics metrics;
    private final Map<Long, Long> startedNanos = new HashMap<>();
    private boolean closed;

    ConnectionMetrics(StrandMetrics metrics) {
        this.metrics = metrics;
    }

    public void requestStarted(long requestId) {
        if (startedNanos.size() < ProtocolLimits.MAX_REQUESTS_IN_FLIGHT) {
            startedNanos.put(requestId, System.nanoTime());
        }
    }

    /** Request {@code requestId} was answered with a REPLY ({@code error} false) or an ERROR. */
    public void requestFinished(long requestId, int opcode, boolean error) {
        Long started = startedNanos.remove(requestId);
        if (started != null) {
            Opcode op = Opcode.fromCode(opcode);
            metrics.requestCompleted(op == null ? "UNKNOWN" : op.name(), error, System.nanoTime() - started);
        }
    }

    /** The connection ended; only the first call counts. */
    public void closed() {
        if (!closed) {
            closed = true;
            startedNanos.clear();
            metrics.connectionClosed();
        }
    }
}
