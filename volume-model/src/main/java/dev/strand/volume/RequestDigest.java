package dev.strand.volume;

import dev.strand.protocol.Opcode;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Request;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * What a request asked for, in 22 characters: the first 128 bits of the SHA-256 of its opcode and its body as
 * the protocol encodes it. Remembered with the answer to a mutation ({@link RecentRequests}), so that a request
 * that reuses a (client id, request id) pair for something else is told so (REQUEST_ID_REUSED) instead of being
 * given the answer of another request. A resent request decodes to the same message, which encodes the same.
 */
public final class RequestDigest {

    private static final int BYTES = 16;

    private RequestDigest() {}

    public static String of(Request request) {
        return digest(Opcode.of(request).name(), WireCodec.encode(request));
    }

    /**
     * A STORE: the file and the number of bytes. The bytes themselves are not hashed (they went to a blob); a
     * resent store of other bytes of the same length is a retry, as before digests.
     */
    public static String ofStore(Fid fid, long length) {
        return digest(Opcode.STORE.name(), (fid + "/" + length).getBytes(StandardCharsets.UTF_8));
    }

    private static String digest(String opcode, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(opcode.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            byte[] full = sha.digest(body);
            byte[] head = new byte[BYTES];
            System.arraycopy(full, 0, head, 0, BYTES);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(head);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
