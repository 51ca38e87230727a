package dev.strand.client;

import dev.strand.protocol.Opcode;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.UnavailableException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The OUTCOMES part of {@link StrandConnection}'s contract: a change answered TIMEOUT or UNAVAILABLE is sent again
 * with its same id until the server says what became of it, or fails with {@link OutcomeUnknownException}.
 */
final class OutcomeRetry {

    private static final long FIRST_RESEND_DELAY_MILLIS = 100;
    private static final long MAX_RESEND_DELAY_MILLIS = 2_000;

    private final StrandConnection connection;
    private final RequestTable requests;

    OutcomeRetry(StrandConnection connection, RequestTable requests) {
        this.connection = connection;
        this.requests = requests;
    }

    /** Requests that change something: a lost answer leaves their outcome unknown. */
    static boolean changesState(Opcode op) {
        return op == Opcode.VOLUME_CREATE || op == Opcode.STORE || op == Opcode.PUT
                || (op.code() >= Opcode.CREATE.code() && op.code() <= Opcode.SET_ATTR.code());
    }

    /**
     * {@code error} answered {@code p} on socket {@code answeredOn}: sends it again later if its outcome is unknown,
     * or fails it with {@link OutcomeUnknownException} once the reconnect timeout has passed. False if the error is
     * the answer to pass on.
     */
    boolean resendToLearnOutcome(PendingRequest p, StrandException error, int answeredOn) {
        if (!p.resendable() || !changesState(p.opcode)
                || (error.status() != Status.TIMEOUT && error.status() != Status.UNAVAILABLE)
                || (p.upload != null && !p.upload.ended)) { // a store refused before its DATA_END changed nothing
            return false;
        }
        long now = System.nanoTime();
        if (p.unsureSince == 0) {
            p.unsureSince = now;
        }
        boolean expired = now - p.unsureSince >= connection.settings().reconnectTimeout().toNanos();
        if (expired || connection.isClosing() || (p.upload != null && !p.upload.canStartOver())) {
            requests.complete(p, null, outcomeUnknown(p, error.status() + ": " + error.getMessage()));
            return true;
        }
        long delay = Math.min(MAX_RESEND_DELAY_MILLIS, FIRST_RESEND_DELAY_MILLIS << Math.min(p.resends++, 5));
        try {
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, requests.workers())
                    .execute(() -> resendNow(p, answeredOn));
        } catch (RejectedExecutionException e) {
            return false; // shutting down: the error stands
        }
        return true;
    }

    /**
     * Sends {@code p} again on the socket that answered it ({@code answeredOn}) if that is still the live one;
     * after a reconnect, the reconnect has sent it on the new socket already.
     */
    private void resendNow(PendingRequest p, int answeredOn) {
        Transport t = connection.liveTransport();
        // a store's bytes of the previous attempt must all be written before its next REQUEST frame
        synchronized (p.upload != null ? p.upload : p) {
            if (requests.settled(p) || t == null || t.generation != answeredOn || !p.unclaim(answeredOn)) {
                return;
            }
        }
        connection.resend(p, t);
    }

    static OutcomeUnknownException outcomeUnknown(PendingRequest p, String reason) {
        return new OutcomeUnknownException(p.opcode + " request " + p.id + " was sent, but no server said whether it "
                + "was applied (" + reason + "); look at what it was to change before trying it again");
    }

    /** How a request fails when the connection ends for good: outcome unknown if it was sent and changes something. */
    static StrandException closedFailure(PendingRequest p, String reason) {
        boolean maybeApplied = p.generation() > 0 && p.resendable() && changesState(p.opcode)
                && (p.upload == null || p.upload.ended); // a store without its DATA_END cannot have committed
        return maybeApplied ? outcomeUnknown(p, reason) : new UnavailableException(reason);
    }
}
