package dev.strand.actors.volume;

/**
 * Who asked for a change and when it happened; recorded in every mutation event.
 *
 * @param clientId   the client process (stable across its reconnects); with {@code requestId} it names the
 *                   request, so that a retried request can be recognised
 * @param principal  on whose behalf the client acts; becomes the owner of what the change creates
 * @param timeMillis the modification time the change gives to the vnodes it touches
 */
public record Origin(String clientId, long requestId, String principal, long timeMillis) {}
