package dev.strand.actors.connection;

import dev.strand.actors.testing.InProcessServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.ErrorBody;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.VolumeCreate;
import dev.strand.protocol.message.VolumeInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/** A bare socket that speaks frames, for tests that send what no well-behaved client would. */
final class WireClient implements AutoCloseable {

    /** Three bytes that are not UTF-8: a lone surrogate, U+D800, as Java's modified UTF-8 would write it. */
    static final byte[] LONE_SURROGATE = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
    /** Stands for {@link #LONE_SURROGATE} in text given to {@link #withRawBytes}: three UTF-8 bytes too. */
    static final String MARK = "\uE000";
    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long nextId = 100;

    WireClient(int port, Duration readTimeout) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) readTimeout.toMillis());
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    WireClient greet(String clientId) throws IOException {
        Frame reply = call(Opcode.HELLO, WireCodec.encode(new Hello(ProtocolLimits.PROTOCOL_VERSION,
                InProcessServer.CLUSTER_ID, "wire-test", clientId, "none", null)));
        if (reply.type() != FrameType.REPLY) {
            throw new IllegalStateException("greeting failed: " + error(reply));
        }
        return this;
    }

    VolumeInfo createVolume(String name) throws IOException {
        return replyOf(call(Opcode.VOLUME_CREATE, WireCodec.encode(new VolumeCreate(name, 1))), VolumeInfo.class);
    }

    long nextId() {
        return nextId++;
    }

    /** Sends one request and reads frames until its final one (DATA frames of a FETCH are skipped). */
    Frame call(Opcode op, byte[] body) throws IOException {
        long id = nextId();
        send(new Frame(FrameType.REQUEST, 0, op.code(), id, body));
        return finalFrame(id);
    }

    <T extends Reply> T call(Request request, Class<T> replyType) throws IOException {
        return replyOf(call(Opcode.of(request), WireCodec.encode(request)), replyType);
    }

    Frame finalFrame(long id) throws IOException {
        while (true) {
            Frame frame = read();
            if (frame == null) {
                throw new IOException("the server closed the connection");
            }
            if (frame.requestId() == id && (frame.type() == FrameType.REPLY || frame.type() == FrameType.ERROR)) {
                return frame;
            }
        }
    }

    /** The final frame of a FETCH, with the bytes of its DATA frames. */
    byte[] fetchData(long id, Frame[] finalOut) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            Frame frame = read();
            if (frame == null) {
                throw new IOException("the server closed the connection");
            }
            if (frame.requestId() != id) {
                continue;
            }
            if (frame.type() == FrameType.DATA) {
                data.writeBytes(frame.body());
            } else {
                finalOut[0] = frame;
                return data.toByteArray();
            }
        }
    }

    void send(Frame frame) throws IOException {
        out.write(FrameCodec.encode(frame));
        out.flush();
    }

    /** The next frame, or null when the server closed the connection. */
    Frame read() throws IOException {
        return FrameCodec.read(in);
    }

    static <T> T replyOf(Frame frame, Class<T> type) {
        if (frame.type() != FrameType.REPLY) {
            throw new IllegalStateException("expected a reply, got " + error(frame));
        }
        return WireCodec.decode(frame.body(), type);
    }

    static ErrorBody error(Frame frame) {
        if (frame.type() != FrameType.ERROR) {
            throw new IllegalStateException("expected an error, got " + frame);
        }
        return WireCodec.decode(frame.body(), ErrorBody.class);
    }

    static Status status(Frame frame) {
        return Status.fromCode(error(frame).code());
    }

    /** The request encoded, with every {@link #MARK} in its text replaced by {@code raw} (three bytes). */
    static byte[] withRawBytes(Request request, byte[] raw) {
        byte[] body = WireCodec.encode(request);
        for (int i = 0; i + MARK_BYTES.length <= body.length; i++) {
            if (Arrays.equals(body, i, i + MARK_BYTES.length, MARK_BYTES, 0, MARK_BYTES.length)) {
                System.arraycopy(raw, 0, body, i, raw.length);
            }
        }
        return body;
    }

    static Fid root(VolumeInfo volume) {
        return volume.root();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
