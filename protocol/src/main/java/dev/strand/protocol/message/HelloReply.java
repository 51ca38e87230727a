package dev.strand.protocol.message;

/**
 * The server's answer to the greeting.
 *
 * @param serverTerm changes whenever the server behind the client's volumes changes (restart, failover);
 *                   a client that sees a new term knows its cached state must be revalidated
 * @param sessionId  this connection's session, for logs and later for callbacks
 * @param clientId   the client id this connection's requests are known by: the Hello's, or one the server
 *                   issued (unique) when the Hello had none; absent from servers before it was added
 */
public record HelloReply(int protocolVersion, String clusterId, String serverId, long serverTerm,
                         long sessionId, int maxBodyLength, int maxRequestsInFlight, String clientId) implements Reply {

    /** A reply that names no client id. */
    public HelloReply(int protocolVersion, String clusterId, String serverId, long serverTerm, long sessionId,
                      int maxBodyLength, int maxRequestsInFlight) {
        this(protocolVersion, clusterId, serverId, serverTerm, sessionId, maxBodyLength, maxRequestsInFlight, null);
    }
}
