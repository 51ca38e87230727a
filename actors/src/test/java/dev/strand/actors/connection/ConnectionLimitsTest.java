package dev.strand.actors.connection;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Pong;
import dev.strand.protocol.message.Request;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bounds of {@link ConnectionSettings}, each met by real TCP clients. */
class ConnectionLimitsTest {

    private static ConnectionSettings with(int maxConnections, Duration hello, Duration idle, Duration frame,
                                           long outbox) {
        return new ConnectionSettings(maxConnections, hello, idle, frame, outbox, Duration.ofSeconds(10));
    }

    @Test
    void aClientThatNeverReadsStopsBeingReadAndIsAnsweredEverythingOnceItReads() throws Exception {
        long maxOutbox = 64 * 1024;
        int cap = 40_000; // requests the writer sends at most: ~500 MB of answers a server would have to hold
        try (TestServer server = new TestServer(with(100, Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofSeconds(60), maxOutbox));
             TestClient client = new TestClient(server.port(), 16 * 1024).greet()) {
            for (int i = 0; i < 100; i++) { // each READ_DIR answer: ~100 entries with attributes, over 10 KB
                client.create(2 + i, "%03d-".formatted(i) + "x".repeat(100));
            }
            // Padded (the server ignores unknown fields) so that the socket buffers hold a few hundred requests,
            // not tens of thousands: once the server stops reading, the writer stalls after few requests.
            byte[] readDir = FrameCodec.encode(Frame.request(Opcode.READ_DIR, 1000,
                    WireCodec.encode(new PaddedReadDir(TestServer.ROOT, null, 1000, true, new byte[2048]))));
            AtomicLong sent = new AtomicLong();
            OutputStream out = client.socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    for (long id = 1000; id < 1000 + cap; id++) {
                        ByteBuffer.wrap(readDir).putLong(8, id);
                        out.write(readDir);
                        sent.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test closed the socket
                }
            }, "never-reading-writer");
            writer.setDaemon(true);
            writer.start();

            // The server stops reading: the writer blocks in a write, for good, long before it is done.
            long[] last = {-1};
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                long now = sent.get();
                boolean still = now == last[0];
                last[0] = now;
                return still && writer.isAlive();
            });
            long requests = sent.get();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                    .until(() -> sent.get() == requests && writer.isAlive());
            assertThat(requests).isLessThan(cap);

            // Then it reads: every request it sent is answered, none refused (past the in-flight limit the server
            // stopped reading rather than refusing), and the server reads again.
            long answered = 0;
            while (answered < requests) {
                assertThat(client.read().type()).isEqualTo(FrameType.REPLY);
                answered++;
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() > requests);
        }
    }

    /** A READ_DIR with a field the server does not know. */
    private record PaddedReadDir(Fid dir, String after, int limit, boolean withAttrs, byte[] padding)
            implements Request {}

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (TestServer server = new TestServer(with(100, Duration.ofSeconds(30), Duration.ofMillis(500),
                Duration.ofSeconds(60), 1 << 20));
             TestClient client = server.connect().greet()) {
            client.request(2, new Ping(2));
            assertThat(client.read().type()).isEqualTo(FrameType.REPLY);

            assertThat(client.readError()).isEqualTo(Status.TIMEOUT);
            assertThat(client.read()).as("closed").isNull();
        }
    }

    @Test
    void aConnectionThatNeverGreetsIsClosedAfterTheHelloTimeout() throws Exception {
        try (TestServer server = new TestServer(with(100, Duration.ofMillis(500), Duration.ofMinutes(5),
                Duration.ofSeconds(60), 1 << 20));
             TestClient client = server.connect()) {
            client.request(2, new Ping(2)); // not a greeting
            assertThat(client.readError()).isEqualTo(Status.GREETING_REQUIRED);

            assertThat(client.readError()).isEqualTo(Status.GREETING_REQUIRED);
            assertThat(client.read()).as("closed").isNull();
        }
    }

    @Test
    void aFrameThatNeverArrivesWholeClosesItsConnection() throws Exception {
        try (TestServer server = new TestServer(with(100, Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofMillis(800), 1 << 20));
             TestClient client = server.connect().greet()) {
            // declares a 1 MiB frame, sends 10 bytes of it, then nothing
            client.sendBytes(ByteBuffer.allocate(14).putInt(12 + (1 << 20)).put((byte) 1).array());

            assertThat(client.readError()).isEqualTo(Status.BAD_FRAME);
            assertThat(client.read()).as("closed").isNull();
        }
    }

    @Test
    void beyondTheConnectionLimitANewConnectionIsRefusedAndTheOthersCarryOn() throws Exception {
        try (TestServer server = new TestServer(with(2, Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofSeconds(60), 1 << 20));
             TestClient first = server.connect().greet();
             TestClient second = server.connect().greet()) {
            try (TestClient third = server.connect()) {
                Frame refusal = third.read();
                assertThat(refusal.type()).isEqualTo(FrameType.ERROR);
                assertThat(refusal.requestId()).isZero();
                assertThat(WireCodec.decodeError(refusal.body()).status()).isEqualTo(Status.UNAVAILABLE);
                assertThat(WireCodec.decodeError(refusal.body()).getMessage()).contains("2 connections");
                assertThat(third.read()).as("closed").isNull();
            }
            first.request(2, new Ping(5));
            assertThat(WireCodec.decode(first.read().body(), Pong.class).nonce()).isEqualTo(5);

            second.close(); // a place frees up
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (TestClient again = server.connect()) {
                    again.greet();
                }
            });
        }
    }
}
