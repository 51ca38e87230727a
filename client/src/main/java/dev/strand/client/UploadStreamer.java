package dev.strand.client;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.StoreEnd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Sends a store's bytes after its REQUEST frame, on a worker thread: DATA frames of at most
 * {@link StrandConnection#DATA_CHUNK_SIZE}, then the DATA_END with the byte count. A store whose source fails or
 * ends early is abandoned with a DATA_END the server must refuse ({@link #ABANDONED_STORE_LENGTH}).
 */
final class UploadStreamer {

    /** The DATA_END length that abandons a store: never equal to a byte count, so always refused. */
    static final long ABANDONED_STORE_LENGTH = -1;

    private final StrandConnection connection;
    private final RequestTable requests;

    UploadStreamer(StrandConnection connection, RequestTable requests) {
        this.connection = connection;
        this.requests = requests;
    }

    /** Streams a store's bytes on {@code t}; a newer attempt (after a reconnect) waits for this one to stop. */
    void upload(PendingRequest request, Transport t) {
        Upload upload = request.upload;
        synchronized (upload) {
            if (requests.settled(request) || request.generation() != t.generation) {
                return;
            }
            if (upload.attempts++ > 0) {
                try {
                    upload.rewind();
                } catch (IOException e) {
                    requests.fail(request.id, new UnavailableException("the connection was lost during a store and "
                            + "its source cannot be read again: " + e.getMessage()));
                    return;
                }
            }
            try {
                streamData(request, upload, t);
            } catch (IOException e) {
                connection.connectionLost(t, e);
                return;
            }
        }
        Throwable failure = request.localFailure;
        if (failure != null) {
            // fail now; the request stays registered so the server's answer still frees its slot
            request.future().completeExceptionally(failure);
        }
    }

    private void streamData(PendingRequest request, Upload upload, Transport t) throws IOException {
        int chunk = chunkSize();
        long length = upload.length;
        long sent = 0;
        while (!requests.settled(request) && request.generation() == t.generation) {
            int want = length < 0 ? chunk : (int) Math.min(chunk, length - sent);
            if (want == 0) {
                break;
            }
            byte[] bytes;
            try {
                bytes = readUpTo(upload.source, want);
            } catch (IOException | RuntimeException e) {
                request.localFailure = e;
                break;
            }
            upload.consumed = true;
            if (bytes.length == 0) {
                if (length >= 0) {
                    request.localFailure = new EOFException("source ended after " + sent + " of " + length + " bytes");
                }
                break;
            }
            t.write(FrameCodec.encode(Frame.data(Opcode.STORE.code(), request.id, bytes)));
            sent += bytes.length;
            PendingRequest.report(request.progress, sent);
        }
        if (requests.settled(request) || request.generation() != t.generation) {
            return; // the server already answered (an error), or the socket went: no DATA_END here
        }
        // a store that failed here is abandoned with a length that can never match what was sent, which the
        // server must refuse, leaving the file unchanged
        long endLength = request.localFailure == null ? sent : ABANDONED_STORE_LENGTH;
        upload.ended = true;
        t.write(FrameCodec.encode(Frame.dataEnd(Opcode.STORE.code(), request.id,
                WireCodec.encode(new StoreEnd(endLength)))));
    }

    /** Reads until {@code want} bytes or the end of the source; an empty array means the end. */
    private static byte[] readUpTo(ReadableByteChannel source, int want) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(want);
        while (buf.hasRemaining()) {
            if (source.read(buf) < 0) {
                break;
            }
        }
        if (buf.position() == want) {
            return buf.array();
        }
        byte[] bytes = new byte[buf.position()];
        System.arraycopy(buf.array(), 0, bytes, 0, bytes.length);
        return bytes;
    }

    private int chunkSize() {
        HelloReply hello = connection.helloReply();
        int maxBody = hello != null && hello.maxBodyLength() > 0 ? hello.maxBodyLength() : ProtocolLimits.MAX_BODY_LENGTH;
        return Math.min(StrandConnection.DATA_CHUNK_SIZE, maxBody);
    }
}
