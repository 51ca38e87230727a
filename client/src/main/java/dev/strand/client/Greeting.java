package dev.strand.client;

import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.TimeoutException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.error.WrongClusterException;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.HelloReply;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HELLO exchange that opens every socket of a {@link StrandConnection}: sends the greeting (protocol version,
 * cluster id, client name and id) and waits, at most the settings' greeting timeout, for the server's answer, which
 * must name the settings' cluster. The caller decides what the answer changes (limits, client id, live socket).
 */
final class Greeting {

    private final ClientSettings settings;
    private final RequestTable requests;
    /** Non-null once the connection is closed for good: the message a greeting then fails with. */
    private final Supplier<String> closedMessage;

    Greeting(ClientSettings settings, RequestTable requests, Supplier<String> closedMessage) {
        this.settings = settings;
        this.requests = requests;
        this.closedMessage = closedMessage;
    }

    /**
     * Greets the server on {@code t} as {@code clientId} (null: none yet) and returns its answer.
     *
     * @throws StrandException of the server's status if it refuses, TIMEOUT if it does not answer in time,
     *                         UNAVAILABLE if the socket fails or the server closed it with no reason given
     */
    HelloReply exchange(Transport t, String clientId) {
        Hello hello = new Hello(ProtocolLimits.PROTOCOL_VERSION, settings.clusterId(), settings.clientName(),
                clientId, "none", null);
        PendingRequest p = requests.register(Opcode.HELLO, hello, null, null, false, closedMessage);
        if (p.future().isDone()) {
            return awaitAnswer(p, t);
        }
        p.claim(t.generation);
        try {
            t.write(p.frame);
        } catch (IOException e) {
            // the server may have said why before closing (its connection limit): that is the reason to show
            requests.fail(p.id, t.closedByServer() != null ? Reconnector.failure(t, Reconnector.reason(t, e))
                    : new UnavailableException("cannot greet " + t.address + ": " + e.getMessage()));
        }
        return awaitAnswer(p, t);
    }

    private HelloReply awaitAnswer(PendingRequest p, Transport t) {
        HelloReply reply;
        try {
            reply = p.<HelloReply>future().get(settings.greetingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            requests.fail(p.id, e); // frees its entry; nobody waits for it any more
            throw new TimeoutException("no answer to the greeting from " + t.address + " within "
                    + settings.greetingTimeout().toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while greeting " + t.address);
        } catch (ExecutionException e) {
            throw asStrandException(e.getCause());
        }
        if (reply.clusterId() != null && !reply.clusterId().equals(settings.clusterId())) {
            throw new WrongClusterException("server " + t.address + " belongs to cluster '" + reply.clusterId()
                    + "', not '" + settings.clusterId() + "'");
        }
        return reply;
    }

    private static StrandException asStrandException(Throwable t) {
        if (t instanceof StrandException se) {
            return se;
        }
        return new UnavailableException(t.getMessage() == null ? t.toString() : t.getMessage());
    }
}
