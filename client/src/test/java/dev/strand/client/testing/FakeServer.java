package dev.strand.client.testing;

import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test server speaking the Strand framing on 127.0.0.1 (an ephemeral port). Every accepted connection gets
 * its own thread that hands each frame to the {@link Handler}.
 */
public final class FakeServer implements AutoCloseable {

    /** Called on the connection's thread for every frame the client sends. */
    @FunctionalInterface
    public interface Handler {
        void handle(Frame frame, Session session) throws IOException;
    }

    /** One accepted client connection. */
    public static final class Session {
        private final Socket socket;
        private final OutputStream out;

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        public void send(Frame frame) throws IOException {
            byte[] bytes = FrameCodec.encode(frame);
            synchronized (this) {
                out.write(bytes);
                out.flush();
            }
        }

        /** Closes the connection abruptly, as a crashed server would. */
        public void drop() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private final ServerSocket serverSocket;
    private final Handler handler;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public FakeServer(Handler handler) throws IOException {
        this.handler = handler;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fake-server-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public ServerAddress address() {
        return new ServerAddress("127.0.0.1", serverSocket.getLocalPort());
    }

    public ClientSettings settings() {
        return ClientSettings.of(address());
    }

    public List<Session> sessions() {
        return sessions;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
                Session session = new Session(socket);
                sessions.add(session);
                Thread t = new Thread(() -> serve(socket, session), "fake-server-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, Session session) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Frame frame;
            while ((frame = FrameCodec.read(in)) != null) {
                handler.handle(frame, session);
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or the test dropped the connection
        } finally {
            sessions.remove(session);
        }
    }

    /** Drops every client connection. */
    public void dropConnections() {
        sessions.forEach(Session::drop);
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        dropConnections();
    }
}
