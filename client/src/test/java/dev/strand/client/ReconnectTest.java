package dev.strand.client;

import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.ChangedException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Pong;
import dev.strand.protocol.message.Store;
import dev.strand.protocol.message.StoreEnd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A connection that loses its server reconnects by itself and sends its waiting requests again with their
 * same ids, so the server can recognise what it already applied.
 */
class ReconnectTest {
    private static final Fid FILE = new Fid(1, 5, 1);
    private static final Attr FILE_ATTR = new Attr(FILE, FileType.FILE, 0644, 10, 1, "u", 1, 1, 2, List.of(2L));

    private ScriptedServer server;
    private StrandConnection connection;

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedServer();
    }

    @AfterEach
    void stop() {
        server.close();
        if (connection != null) {
            connection.close();
        }
    }

    private void connect() {
        connect(server.settings());
    }

    private void connect(ClientSettings settings) {
        connection = StrandConnection.connect(settings);
    }

    /** The next frame of {@code type} (frames the old connection left behind are skipped). */
    private Frame nextOfType(FrameType type) {
        Frame frame;
        while ((frame = server.next()).type() != type) {
            // skip
        }
        return frame;
    }

    @Test
    void aRequestInFlightIsSentAgainWithItsSameIdAndCompletesAfterTheReconnect() {
        connect();
        CompletableFuture<Attr> created = connection.call(new Create(Fid.root(1), "f", 0644, true));
        Frame first = server.next();

        server.dropConnection();
        Frame again = server.next();

        assertThat(again.requestId()).isEqualTo(first.requestId());
        assertThat(ScriptedServer.request(again)).isEqualTo(new Create(Fid.root(1), "f", 0644, true));
        server.reply(again, FILE_ATTR);
        assertThat(created.join()).isEqualTo(FILE_ATTR);
        assertThat(connection.reconnects()).isEqualTo(1);
        assertThat(server.greetings()).isEqualTo(2);
    }

    @Test
    void aNewServerTermIsReportedToListeners() {
        connect();
        List<StrandConnection.Reconnected> seen = new CopyOnWriteArrayList<>();
        connection.onReconnected(seen::add);
        server.answerGreetingsWithTerm(99);

        server.dropConnection();

        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        StrandConnection.Reconnected reconnected = seen.get(0);
        assertThat(reconnected.previousServerTerm()).isEqualTo(ScriptedServer.HELLO_REPLY.serverTerm());
        assertThat(reconnected.helloReply().serverTerm()).isEqualTo(99);
        assertThat(reconnected.termChanged()).isTrue();
        assertThat(connection.serverTerm()).isEqualTo(99);
    }

    @Test
    void requestsMadeWhileReconnectingWaitAndThenSucceed() {
        connect();
        server.refuseGreetingWith(new UnavailableException("starting up"));
        server.dropConnection();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.greetings() >= 3);
        assertThat(connection.isConnected()).isFalse();

        CompletableFuture<Pong> pong = connection.call(new Ping(5));
        assertThat(pong).isNotDone();
        assertThat(connection.isOpen()).isTrue();

        server.refuseGreetingWith(null);
        Frame ping = nextOfType(FrameType.REQUEST);
        server.reply(ping, new Pong(5));
        assertThat(pong.join()).isEqualTo(new Pong(5));
    }

    @Test
    void afterTheBoundEveryWaitingRequestFailsWithUnavailable() throws IOException {
        connect(server.settings().withReconnectTimeout(Duration.ofMillis(500)));
        CompletableFuture<Pong> pong = connection.call(new Ping(1));
        server.next();
        server.refuseGreetingWith(new UnavailableException("still starting up"));

        server.dropConnection();

        assertThatThrownBy(pong::join).hasCauseInstanceOf(UnavailableException.class)
                .hasMessageContaining("no server of [" + server.settings().server() + "] answered within");
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void theNextServerOfTheListIsTriedFirst() throws IOException {
        try (ScriptedServer other = new ScriptedServer()) {
            connect(ClientSettings.of(List.of(server.settings().server(), other.settings().server())));
            CompletableFuture<Pong> pong = connection.call(new Ping(3));
            Frame first = server.next();

            server.dropConnection();
            Frame again = other.next();

            assertThat(again.requestId()).isEqualTo(first.requestId());
            other.reply(again, new Pong(3));
            assertThat(pong.join()).isEqualTo(new Pong(3));
            assertThat(connection.peer()).isEqualTo(other.settings().server().toString());
        }
    }

    @Test
    void aStoreFromAFileStartsOverFromItsFirstByte(@TempDir Path dir) throws IOException {
        connect();
        byte[] content = randomBytes(StrandConnection.DATA_CHUNK_SIZE + 100);
        Path local = dir.resolve("f");
        Files.write(local, content);
        try (FileChannel channel = FileChannel.open(local)) {
            CompletableFuture<Attr> stored = connection.store(FILE, content.length, channel, null);
            Frame request = server.next();
            assertThat(server.next().type()).isEqualTo(FrameType.DATA);

            server.dropConnection();
            Frame again = nextOfType(FrameType.REQUEST);

            assertThat(again.requestId()).isEqualTo(request.requestId());
            assertThat(ScriptedServer.request(again)).isEqualTo(new Store(FILE, content.length));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Frame frame;
            while ((frame = server.next()).type() == FrameType.DATA) {
                received.writeBytes(frame.body());
            }
            assertThat(WireCodec.decode(frame.body(), StoreEnd.class)).isEqualTo(new StoreEnd(content.length));
            assertThat(received.toByteArray()).isEqualTo(content);
            server.reply(again, FILE_ATTR);
            assertThat(stored.join()).isEqualTo(FILE_ATTR);
        }
    }

    @Test
    void aStoreFromAStreamAlreadyPartlySentFailsWithUnavailable() {
        connect();
        byte[] content = randomBytes(StrandConnection.DATA_CHUNK_SIZE + 100);
        java.util.concurrent.CountDownLatch rest = new java.util.concurrent.CountDownLatch(1);
        // the first chunk comes at once, the rest never does: no DATA_END is sent, so nothing can have committed
        java.io.InputStream source = new java.io.SequenceInputStream(
                new ByteArrayInputStream(content, 0, StrandConnection.DATA_CHUNK_SIZE), new java.io.InputStream() {
                    @Override
                    public int read() throws IOException {
                        try {
                            rest.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new IOException("never comes");
                    }
                });
        try {
            CompletableFuture<Attr> stored = connection.store(FILE, content.length, source, null);
            server.next();
            server.next(); // its bytes were read and sent: they cannot be read again

            server.dropConnection();

            assertThatThrownBy(stored::join).hasCauseInstanceOf(UnavailableException.class)
                    .hasMessageContaining("cannot be read again");
        } finally {
            rest.countDown();
        }
    }

    @Test
    void aFetchContinuesFromTheBytesItsSinkAlreadyHasAndExpectsTheSameVersion() {
        connect();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<FetchReply> fetched = connection.fetch(FILE, 2L, 10, 1000, sink, null);
        Frame request = server.next();
        assertThat(ScriptedServer.request(request)).isEqualTo(new Fetch(FILE, 10, 1000, 2L));
        byte[] head = randomBytes(300);
        server.data(request, head);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.size() == 300);

        server.dropConnection();
        Frame again = nextOfType(FrameType.REQUEST);

        assertThat(again.requestId()).isEqualTo(request.requestId());
        assertThat(ScriptedServer.request(again)).isEqualTo(new Fetch(FILE, 310, 700, 2L));
        byte[] tail = randomBytes(700);
        server.data(again, tail);
        server.reply(again, new FetchReply(FILE_ATTR, 700));
        assertThat(fetched.join()).isEqualTo(new FetchReply(FILE_ATTR, 1000));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(head);
        expected.writeBytes(tail);
        assertThat(sink.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void aResumedFetchOfAFileThatChangedMeanwhileFailsWithChanged() {
        connect();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<FetchReply> fetched = connection.fetch(FILE, 2L, 0, -1, sink, null);
        Frame request = server.next();
        server.data(request, randomBytes(300));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.size() == 300);

        server.dropConnection();
        Frame again = nextOfType(FrameType.REQUEST);
        server.error(again, new ChangedException("1.5.1 is at data version 3"));

        assertThatThrownBy(fetched::join).hasCauseInstanceOf(ChangedException.class);
        assertThat(sink.size()).isEqualTo(300);
    }

    @Test
    void aFetchWithoutAnExpectedVersionIsNotResumedOnceItDeliveredBytes() {
        connect();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<FetchReply> fetched = connection.fetch(FILE, 0, -1, sink, null);
        Frame request = server.next();
        server.data(request, randomBytes(300));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.size() == 300);

        server.dropConnection();

        assertThatThrownBy(fetched::join).hasCauseInstanceOf(UnavailableException.class)
                .hasMessageContaining("cannot be resumed safely");
    }

    @Test
    void aFetchWithoutAnExpectedVersionThatDeliveredNothingIsSentAgain() {
        connect();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<FetchReply> fetched = connection.fetch(FILE, 0, -1, sink, null);
        Frame request = server.next();

        server.dropConnection();
        Frame again = nextOfType(FrameType.REQUEST);

        assertThat(ScriptedServer.request(again)).isEqualTo(new Fetch(FILE, 0, -1));
        server.data(again, randomBytes(10));
        server.reply(again, new FetchReply(FILE_ATTR, 10));
        assertThat(fetched.join().bytes()).isEqualTo(10);
        assertThat(request.requestId()).isEqualTo(again.requestId());
    }

    @Test
    void twoConnectionsOfOneClientNeverShareARequestId() {
        connect();
        try (StrandConnection second = StrandConnection.connect(connection.settings())) {
            connection.call(new Ping(1));
            long a = server.next().requestId();
            second.call(new Ping(2));
            long b = server.next().requestId();

            assertThat(a).isNotEqualTo(b);
            assertThat(Math.abs(a - b)).isGreaterThanOrEqualTo(1L << 20);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }
}
