package dev.strand.it.protocol;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Request;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** A bare socket that speaks frames, for tests that must send what no well-behaved client would. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawConnection greet() throws IOException {
        send(Frame.request(Opcode.HELLO, 1, WireCodec.encode(
                new Hello(ProtocolLimits.PROTOCOL_VERSION, "strand", "raw-test", "raw", "none", null))));
        Frame reply = read();
        if (reply.type() != dev.strand.protocol.FrameType.REPLY) {
            throw new IllegalStateException("greeting failed: " + WireCodec.decodeError(reply.body()).getMessage());
        }
        return this;
    }

    void send(Frame frame) throws IOException {
        sendBytes(FrameCodec.encode(frame));
    }

    void request(long id, Request request) throws IOException {
        send(Frame.request(Opcode.of(request), id, WireCodec.encode(request)));
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame, or null when the server closed the connection. */
    Frame read() throws IOException {
        return FrameCodec.read(in);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
