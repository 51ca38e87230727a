package dev.strand.protocol.message;

/**
 * The greeting, the first request on every connection.
 *
 * @param clientId   stable for one client process across reconnects (lets the server recognise retries)
 * @param authMethod "none" until the sessions issue adds real methods; {@code authToken} is its credential
 */
public record Hello(int protocolVersion, String clusterId, String clientName, String clientId,
                    String authMethod, byte[] authToken) implements Request {}
