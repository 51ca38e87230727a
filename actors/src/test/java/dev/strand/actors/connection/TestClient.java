package dev.strand.actors.connection;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.StoreEnd;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/** A bare blocking socket that speaks frames, for tests that send what no well-behaved client would. */
final class TestClient implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    TestClient(int port) throws IOException {
        this(port, 0);
    }

    /** With socket buffers of about {@code bufferBytes} each way (0: the system's, which grow as needed). */
    TestClient(int port, int bufferBytes) throws IOException {
        socket = new Socket();
        if (bufferBytes > 0) {
            socket.setReceiveBufferSize(bufferBytes); // before connecting, so that the window stays this small
            socket.setSendBufferSize(bufferBytes);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(20_000); // a read that waits longer fails the test instead of hanging it
        in = new BufferedInputStream(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream());
    }

    TestClient greet() throws IOException {
        request(1, new Hello(ProtocolLimits.PROTOCOL_VERSION, "strand", "test", null, "none", null));
        Frame reply = read();
        assertThat(reply.type()).as("greeting answered").isEqualTo(FrameType.REPLY);
        return this;
    }

    /** Queues a request; {@link #flush} sends. */
    TestClient request(long id, Request request) throws IOException {
        return send(Frame.request(Opcode.of(request), id, WireCodec.encode(request)));
    }

    TestClient data(long id, byte[] bytes) throws IOException {
        return send(Frame.data(Opcode.STORE.code(), id, bytes));
    }

    TestClient dataEnd(long id, long length) throws IOException {
        return send(Frame.dataEnd(Opcode.STORE.code(), id, WireCodec.encode(new StoreEnd(length))));
    }

    TestClient send(Frame frame) throws IOException {
        out.write(FrameCodec.encode(frame));
        return this;
    }

    TestClient sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        return flush();
    }

    TestClient flush() throws IOException {
        out.flush();
        return this;
    }

    /** Sends what is queued and half-closes: the server sees the end of the stream, this side can still read. */
    void shutdownOutput() throws IOException {
        out.flush();
        socket.shutdownOutput();
    }

    /** The next frame, or null when the server closed the connection. */
    Frame read() throws IOException {
        out.flush();
        return FrameCodec.read(in);
    }

    /** The next frame, which must be an ERROR; its status. */
    Status readError() throws IOException {
        Frame frame = read();
        assertThat(frame).as("an ERROR frame").isNotNull();
        assertThat(frame.type()).isEqualTo(FrameType.ERROR);
        return WireCodec.decodeError(frame.body()).status();
    }

    /** Creates a file in the test volume's root with request id {@code id}; its attributes. */
    Attr create(long id, String name) throws IOException {
        request(id, new Create(TestServer.ROOT, name, 0644, true));
        Frame reply = read();
        assertThat(reply.type()).as("CREATE answered").isEqualTo(FrameType.REPLY);
        return WireCodec.decode(reply.body(), Attr.class);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
