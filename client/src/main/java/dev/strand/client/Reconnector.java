package dev.strand.client;

import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.UnavailableException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The RECONNECTING part of {@link StrandConnection}'s contract: when a socket is lost, what belonged to it alone
 * (a greeting, a farewell) fails at once, and a reconnect thread goes round the servers and then sends every
 * waiting request again with its same id.
 */
final class Reconnector {

    private static final long FIRST_RECONNECT_DELAY_MILLIS = 50;
    private static final long MAX_RECONNECT_DELAY_MILLIS = 1_000;

    private final StrandConnection connection;
    private final RequestTable requests;
    private final ClientSettings settings;
    private final List<ServerAddress> servers;

    Reconnector(StrandConnection connection, RequestTable requests, ClientSettings settings) {
        this.connection = connection;
        this.requests = requests;
        this.settings = settings;
        this.servers = settings.servers();
    }

    /** Why {@code t} ended, in words: the server's own reason when it gave one (an ERROR of request id 0). */
    static String reason(Transport t, Exception cause) {
        StrandException byServer = t.closedByServer();
        if (byServer != null) {
            return "connection to " + t.address + " closed by the server: " + byServer.getMessage();
        }
        String why = cause == null || cause.getMessage() == null
                ? (cause == null ? "unknown cause" : cause.getClass().getSimpleName()) : cause.getMessage();
        return "connection to " + t.address + " lost: " + why;
    }

    /** How a request of {@code t} alone fails: with the server's status, if it said why it closed the connection. */
    static StrandException failure(Transport t, String reason) {
        StrandException byServer = t.closedByServer();
        return byServer != null ? byServer.status().exception(reason) : new UnavailableException(reason);
    }

    /** {@code t} is gone: fails what belonged to it alone, then reconnects (or gives up, if so configured). */
    void lost(Transport t, Exception cause) {
        boolean wasLive = connection.detach(t);
        t.close();
        String lost = reason(t, cause);
        for (PendingRequest p : requests.inOrder()) {
            if (!p.resendable() && p.generation() == t.generation) {
                requests.fail(p.id, failure(t, lost));
            }
        }
        if (!wasLive) {
            return; // a socket still greeting, or one already replaced
        }
        StrandException byServer = t.closedByServer();
        String shown = byServer == null ? lost : lost + " (" + byServer.status() + ")";
        if (connection.isClosing()) {
            connection.shutdown("connection to " + t.address + " closed");
        } else if (settings.reconnectTimeout().isZero()) {
            connection.shutdown(shown);
        } else {
            Thread reconnecting = new Thread(() -> reconnect(t, shown), "strand-reconnect-" + t.address);
            reconnecting.setDaemon(true);
            reconnecting.start();
        }
    }

    /** Goes round the servers until one greets us, then resends every waiting request; gives up at the bound. */
    private void reconnect(Transport lost, String reason) {
        long deadline = System.nanoTime() + settings.reconnectTimeout().toNanos();
        try {
            lost.reader.join(1_000); // its last frames are dispatched before anything is resent
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long previousTerm = connection.helloReply().serverTerm();
        int start = servers.indexOf(lost.address) + 1; // the next server first; the lost one last
        long delay = FIRST_RECONNECT_DELAY_MILLIS;
        String lastFailure = reason;
        for (int attempt = 0; connection.isOpen() && !connection.isClosing(); attempt++) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis <= 0) {
                break;
            }
            ServerAddress address = servers.get(Math.floorMod(start + attempt, servers.size()));
            try {
                connection.open(address, Math.min(settings.connectTimeout().toMillis(), remainingMillis));
                reconnected(address, previousTerm);
                return;
            } catch (RuntimeException e) {
                lastFailure = e.getMessage();
            }
            if ((attempt + 1) % servers.size() == 0) { // a whole round failed: pause before the next
                long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
                try {
                    Thread.sleep(Math.max(0, Math.min(jittered,
                            TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MILLIS);
            }
        }
        connection.shutdown(reason + "; no server of " + servers + " answered within "
                + Duration.ofNanos(settings.reconnectTimeout().toNanos()).toSeconds() + "s (last: " + lastFailure + ")");
    }

    private void reconnected(ServerAddress address, long previousTerm) {
        Transport t = connection.liveTransport();
        if (t == null) {
            return; // lost again already: that loss reconnects
        }
        connection.countReconnect();
        for (PendingRequest p : requests.inOrder()) { // in the order they were made
            if (p.resendable() && !requests.settled(p)) {
                if (p.upload != null && !p.upload.canStartOver()) {
                    requests.fail(p.id, OutcomeRetry.closedFailure(p, "the connection was lost during a store "
                            + "whose source cannot be read again"));
                } else if (p.generation() > 0) {
                    connection.resend(p, t);
                } else {
                    connection.transmit(p, t); // made while reconnecting: its first sending
                }
            }
        }
        connection.announceReconnect(new StrandConnection.Reconnected(address, connection.helloReply(), previousTerm));
    }
}
