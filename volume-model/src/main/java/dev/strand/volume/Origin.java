package dev.strand.volume;

/**
 * Who asked for a change and when it happened; recorded in every mutation event.
 *
 * @param clientId      the client process (stable across its reconnects); with {@code requestId} it names the
 *                      request, so that a retried request can be recognised
 * @param principal     on whose behalf the client acts; becomes the owner of what the change creates
 * @param timeMillis    the modification time the change gives to the vnodes it touches
 * @param requestDigest what the request asked for ({@link RequestDigest}), so that a "retry" that asks for
 *                      something else is refused rather than answered with this change's result; null in events
 *                      written before digests were recorded (such a retry is recognised by its ids alone)
 */
public record Origin(String clientId, long requestId, String principal, long timeMillis, String requestDigest) {

    /** An origin without a request digest (requests that are never retried, older events). */
    public Origin(String clientId, long requestId, String principal, long timeMillis) {
        this(clientId, requestId, principal, timeMillis, null);
    }
}
