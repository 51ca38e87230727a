package dev.strand.client;

import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.error.WrongClusterException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Pong;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.Store;
import dev.strand.protocol.message.StoreEnd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrandConnectionTest {
    private static final Fid FILE = new Fid(1, 5, 1);
    private static final Attr FILE_ATTR =
            new Attr(FILE, FileType.FILE, 0644, 10, 1, "u", 1, 1, 2, List.of(2L));

    private ScriptedServer server;
    private StrandConnection connection;

    @BeforeEach
    void connect() throws IOException {
        server = new ScriptedServer();
        connection = StrandConnection.connect(server.settings());
    }

    @AfterEach
    void stop() {
        server.close();
        connection.close();
    }

    @Test
    void greetingExposesTheServersReply() {
        assertThat(connection.helloReply()).isEqualTo(ScriptedServer.HELLO_REPLY);
        assertThat(connection.maxRequestsInFlight()).isEqualTo(ScriptedServer.HELLO_REPLY.maxRequestsInFlight());
    }

    @Test
    void greetingIntroducesTheClientWithItsClusterAndStableId() throws IOException {
        List<Hello> hellos = new ArrayList<>();
        try (var recording = new dev.strand.client.testing.FakeServer((frame, session) -> {
            Hello hello = WireCodec.decode(frame.body(), Hello.class);
            hellos.add(hello);
            session.send(Frame.reply(frame.opcode(), frame.requestId(), WireCodec.encode(
                    new dev.strand.protocol.message.HelloReply(1, "blue", "s", 1, 1, 1 << 20, 8))));
        })) {
            ClientSettings settings = recording.settings().withClusterId("blue").withClientName("test")
                    .withClientId("client-7");
            StrandConnection.connect(settings);
            assertThat(hellos).singleElement().satisfies(hello -> {
                assertThat(hello.protocolVersion()).isEqualTo(ProtocolLimits.PROTOCOL_VERSION);
                assertThat(hello.clusterId()).isEqualTo("blue");
                assertThat(hello.clientName()).isEqualTo("test");
                assertThat(hello.clientId()).isEqualTo(settings.clientId());
                assertThat(hello.authMethod()).isEqualTo("none");
            });
        }
    }

    @Test
    void requestsInFlightMayBeAnsweredOutOfOrder() {
        CompletableFuture<Pong> first = connection.call(new Ping(1));
        CompletableFuture<Pong> second = connection.call(new Ping(2));
        CompletableFuture<Pong> third = connection.call(new Ping(3));
        List<Frame> requests = List.of(server.next(), server.next(), server.next());

        for (int i = requests.size() - 1; i >= 0; i--) {
            Ping ping = (Ping) ScriptedServer.request(requests.get(i));
            server.reply(requests.get(i), new Pong(ping.nonce()));
        }

        assertThat(first.join().nonce()).isEqualTo(1);
        assertThat(second.join().nonce()).isEqualTo(2);
        assertThat(third.join().nonce()).isEqualTo(3);
        assertThat(requests).extracting(Frame::requestId).doesNotHaveDuplicates();
    }

    @Test
    void anErrorFrameFailsTheRequestWithTheExceptionOfItsStatus() {
        CompletableFuture<Attr> stat = connection.call(new GetAttr(FILE));
        server.error(server.next(), new NotFoundException("no such file: x"));

        assertThatThrownBy(() -> BlockingStrandClient.await(stat))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no such file: x");
    }

    @Test
    void aLostConnectionFailsEveryPendingRequestWithUnavailableWhenReconnectingIsOff() {
        connection.close();
        connection = StrandConnection.connect(server.settings().withReconnectTimeout(java.time.Duration.ZERO));
        CompletableFuture<Pong> first = connection.call(new Ping(1));
        CompletableFuture<Pong> second = connection.call(new Ping(2));
        server.next();
        server.next();

        server.dropConnection();

        String expected = "connection to " + server.settings().server() + " lost: ";
        assertThatThrownBy(() -> BlockingStrandClient.await(first))
                .isInstanceOf(UnavailableException.class).hasMessageStartingWith(expected);
        assertThatThrownBy(() -> BlockingStrandClient.await(second))
                .isInstanceOf(UnavailableException.class).hasMessageStartingWith(expected);
    }

    @Test
    void requestsAfterTheConnectionIsLostFailWithUnavailableWhenReconnectingIsOff() {
        connection.close();
        connection = StrandConnection.connect(server.settings().withReconnectTimeout(java.time.Duration.ZERO));
        CompletableFuture<Pong> pending = connection.call(new Ping(1));
        server.next();
        server.dropConnection();
        assertThatThrownBy(() -> BlockingStrandClient.await(pending)).isInstanceOf(UnavailableException.class);

        assertThatThrownBy(() -> BlockingStrandClient.await(connection.call(new Ping(2))))
                .isInstanceOf(UnavailableException.class);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void aRequestTooLargeForAFrameFailsAloneAndTheConnectionStaysUsable() {
        List<String> names = java.util.Collections.nCopies(5000, "n".repeat(255));

        CompletableFuture<Reply> walk = connection.call(new Walk(FILE, names));

        assertThatThrownBy(() -> BlockingStrandClient.await(walk)).isInstanceOf(InvalidArgumentException.class);
        CompletableFuture<Pong> ping = connection.call(new Ping(5));
        server.reply(server.next(), new Pong(5));
        assertThat(ping.join().nonce()).isEqualTo(5);
    }

    @Test
    void storeSendsTheRequestThenDataFramesThenTheEndWithTheByteCount() {
        int length = 2 * StrandConnection.DATA_CHUNK_SIZE + 1000;
        byte[] content = randomBytes(length);
        AtomicLong progress = new AtomicLong();

        CompletableFuture<Attr> stored = connection.store(FILE, length, new ByteArrayInputStream(content), progress::set);

        Frame request = server.next();
        assertThat(request.type()).isEqualTo(FrameType.REQUEST);
        assertThat(ScriptedServer.request(request)).isEqualTo(new Store(FILE, length));
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        List<Integer> frameSizes = new ArrayList<>();
        Frame frame;
        while ((frame = server.next()).type() == FrameType.DATA) {
            assertThat(frame.requestId()).isEqualTo(request.requestId());
            frameSizes.add(frame.body().length);
            received.writeBytes(frame.body());
        }
        assertThat(frame.type()).isEqualTo(FrameType.DATA_END);
        assertThat(frame.requestId()).isEqualTo(request.requestId());
        assertThat(WireCodec.decode(frame.body(), StoreEnd.class)).isEqualTo(new StoreEnd(length));
        assertThat(frameSizes).containsExactly(StrandConnection.DATA_CHUNK_SIZE, StrandConnection.DATA_CHUNK_SIZE, 1000);
        assertThat(received.toByteArray()).isEqualTo(content);

        server.reply(request, FILE_ATTR);
        assertThat(stored.join()).isEqualTo(FILE_ATTR);
        assertThat(progress.get()).isEqualTo(length);
    }

    @Test
    void aSourceShorterThanAnnouncedAbandonsTheStoreAndFailsLocally() {
        CompletableFuture<Attr> stored = connection.store(FILE, 100, new ByteArrayInputStream(new byte[40]), null);
        Frame request = server.next();
        assertThat(server.next().type()).isEqualTo(FrameType.DATA);
        Frame end = server.next();
        assertThat(WireCodec.decode(end.body(), StoreEnd.class)).isEqualTo(new StoreEnd(-1));

        assertThatThrownBy(stored::join).hasCauseInstanceOf(java.io.EOFException.class);
        server.error(request, new dev.strand.protocol.error.BadRequestException("length mismatch"));
    }

    @Test
    void fetchDeliversDataFramesToTheSinkInOrder() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        AtomicLong progress = new AtomicLong();
        CompletableFuture<FetchReply> fetched = connection.fetch(FILE, 0, -1, sink, progress::set);

        Frame request = server.next();
        assertThat(ScriptedServer.request(request)).isEqualTo(new Fetch(FILE, 0, -1));
        byte[] a = randomBytes(1000);
        byte[] b = randomBytes(500);
        byte[] c = randomBytes(7);
        server.data(request, a);
        server.data(request, b);
        server.data(request, c);
        server.reply(request, new FetchReply(FILE_ATTR, 1507));

        assertThat(fetched.join()).isEqualTo(new FetchReply(FILE_ATTR, 1507));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(a);
        expected.writeBytes(b);
        expected.writeBytes(c);
        assertThat(sink.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(progress.get()).isEqualTo(1507);
    }

    @Test
    void fetchFailsWithTheSinksErrorWhenTheSinkFails() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        CompletableFuture<FetchReply> fetched = connection.fetch(FILE, 0, -1, broken, null);
        Frame request = server.next();
        server.data(request, new byte[10]);
        server.reply(request, new FetchReply(FILE_ATTR, 10));

        assertThatThrownBy(fetched::join).hasCauseInstanceOf(IOException.class).hasMessageContaining("disk full");
    }

    @Test
    void closeSaysFarewellBeforeClosing() {
        CompletableFuture<Void> closing = CompletableFuture.runAsync(connection::close);
        Frame farewell = server.next();
        assertThat(farewell.opcode()).isEqualTo(Opcode.FAREWELL.code());
        server.reply(farewell, Empty.INSTANCE);

        closing.join();
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void aRefusedGreetingSurfacesAsTheExceptionOfItsStatus() throws IOException {
        try (ScriptedServer refusing = new ScriptedServer()) {
            refusing.refuseGreetingWith(new WrongClusterException("this is cluster 'red'"));

            assertThatThrownBy(() -> StrandConnection.connect(refusing.settings()))
                    .isInstanceOf(WrongClusterException.class)
                    .hasMessage("this is cluster 'red'");
        }
    }

    @Test
    void aServerThatCannotBeReachedIsUnavailable() throws IOException {
        ServerAddress closed;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = new ServerAddress("127.0.0.1", socket.getLocalPort());
        }
        ServerAddress address = closed;
        assertThatThrownBy(() -> StrandConnection.connect(ClientSettings.of(address)))
                .isInstanceOf(UnavailableException.class)
                .hasMessageStartingWith("cannot connect to " + address);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }
}
