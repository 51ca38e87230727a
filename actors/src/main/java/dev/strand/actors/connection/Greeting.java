package dev.strand.actors.connection;

import dev.strand.protocol.Names;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.HelloReply;

import java.util.UUID;

/**
 * A connection's greeting (HELLO): whether the client may go on, and the id its requests are known by. Used on the
 * connection actor's thread only.
 */
final class Greeting {

    /** What a HELLO gets: the reply, or a refusal after which the connection closes. */
    record Outcome(HelloReply reply, StrandException refusal) {}

    private final ServerIdentity identity;
    private final long sessionId;
    private final int maxRequestsInFlight;
    private boolean greeted;
    /** The client's id from HELLO, or one issued by this server (unique: a random UUID) if it sent none. */
    private String clientId = "";

    Greeting(ServerIdentity identity, long sessionId, int maxRequestsInFlight) {
        this.identity = identity;
        this.sessionId = sessionId;
        this.maxRequestsInFlight = maxRequestsInFlight;
    }

    boolean greeted() {
        return greeted;
    }

    /** The client's id, once greeted (every change records it; a STORE's commit carries it). */
    String clientId() {
        return clientId;
    }

    /**
     * Answers a HELLO. A second HELLO, or a malformed one, is a BAD_REQUEST (thrown): the connection stays open, and
     * not greeted if it was not. A client of another protocol version or cluster, or one asking for authentication
     * this server does not offer, is refused.
     */
    Outcome answer(Hello hello) {
        if (greeted) {
            throw new BadRequestException("this connection has already greeted");
        }
        if (hello.protocolVersion() == ProtocolLimits.PROTOCOL_VERSION) {
            Names.checkHello(hello); // malformed or too long (the client id is recorded with every change)
        }
        StrandException refusal = null;
        if (hello.protocolVersion() != ProtocolLimits.PROTOCOL_VERSION) {
            refusal = Status.PROTOCOL_VERSION_MISMATCH.exception("client speaks protocol version "
                    + hello.protocolVersion() + ", this server speaks " + ProtocolLimits.PROTOCOL_VERSION);
        } else if (hello.clusterId() != null && !identity.clusterId().equals(hello.clusterId())) {
            refusal = Status.WRONG_CLUSTER.exception("this server belongs to cluster '" + identity.clusterId()
                    + "', not '" + hello.clusterId() + "'");
        } else if (hello.authMethod() != null && !hello.authMethod().equals("none")) {
            refusal = Status.NOT_AUTHENTICATED.exception("authentication method '" + hello.authMethod()
                    + "' is not supported; use 'none'");
        }
        if (refusal != null) {
            return new Outcome(null, refusal);
        }
        greeted = true;
        // RETRIES: requests are known by (client id, request id), so a client without an id gets one no other
        // client has, here and on every node and after restarts; it sends it back in HELLO when it reconnects
        boolean named = hello.clientId() != null && !hello.clientId().isEmpty();
        clientId = named ? hello.clientId() : UUID.randomUUID().toString();
        return new Outcome(new HelloReply(ProtocolLimits.PROTOCOL_VERSION, identity.clusterId(), identity.serverId(),
                identity.serverTerm(), sessionId, ProtocolLimits.MAX_BODY_LENGTH, maxRequestsInFlight, clientId), null);
    }
}
