package dev.strand.client;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.UnavailableException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * One socket to one server, with the thread that reads its frames. Whole frames are written under one lock, so
 * frames from different threads never interleave. A connection ends for the client (see {@link Events#lost}) when
 * the socket fails or ends, or when the server sends an ERROR about the connection itself (request id 0: its
 * connection limit, no greeting in time, idle), which it follows by closing; that ERROR is kept as the reason.
 */
final class Transport {

    /** What the reader thread reports, in order: frames, then once, the end. */
    interface Events {
        void frame(Transport transport, Frame frame);

        void lost(Transport transport, Exception cause);
    }

    /** Which socket of the connection this is: numbers grow, so an answer can be told from a stale one. */
    final int generation;
    final ServerAddress address;
    final Thread reader;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Events events;
    private final Object writeLock = new Object();
    /** The server's ERROR about this connection (request id 0), once one arrived. */
    private volatile StrandException closedByServer;

    private Transport(int generation, ServerAddress address, Socket socket, Events events) throws IOException {
        this.generation = generation;
        this.address = address;
        this.socket = socket;
        this.events = events;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
        this.reader = new Thread(this::readLoop, "strand-reader-" + address);
        this.reader.setDaemon(true);
    }

    /**
     * Connects to {@code address} and starts reading; {@code generation} is asked for only once the socket is
     * connected. On failure nothing is left open.
     *
     * @throws UnavailableException if the server cannot be reached
     */
    static Transport connect(ServerAddress address, long timeoutMillis, java.util.function.IntSupplier generation,
                             Events events) {
        Socket socket = new Socket();
        Transport t;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(address.host(), address.port()),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)));
            t = new Transport(generation.getAsInt(), address, socket, events);
        } catch (UnknownHostException e) {
            closeQuietly(socket);
            throw new UnavailableException("cannot connect to " + address + ": unknown host " + address.host());
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UnavailableException("cannot connect to " + address + ": " + e.getMessage());
        }
        t.reader.start();
        return t;
    }

    /** Writes one whole encoded frame. */
    void write(byte[] bytes) throws IOException {
        synchronized (writeLock) {
            out.write(bytes);
            out.flush();
        }
    }

    /** The server's ERROR about the connection as a whole, if it sent one (then it closed the connection). */
    StrandException closedByServer() {
        return closedByServer;
    }

    void close() {
        closeQuietly(socket);
    }

    private void readLoop() {
        Exception cause;
        try {
            while (true) {
                Frame frame = FrameCodec.read(in);
                if (frame == null) {
                    cause = new EOFException("server closed the connection");
                    break;
                }
                if (frame.type() == FrameType.ERROR && frame.requestId() == 0) {
                    // about the connection, not a request: the server closes it next (docs/protocol.md, 1.1)
                    StrandException notice = WireCodec.decodeError(frame.body());
                    closedByServer = notice;
                    cause = notice;
                    break;
                }
                events.frame(this, frame);
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
        }
        events.lost(this, cause);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }
}
