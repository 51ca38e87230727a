package dev.strand.client;

import dev.strand.client.testing.FakeServer;
import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.TimeoutException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.HelloReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A client told TIMEOUT or UNAVAILABLE for a change does not know whether it happened: it asks again with the
 * same ids, which the server answers as it answered the change, and says "outcome unknown" only when no server
 * would tell. Its requests are known by an id the server issues when it has none of its own.
 */
class OutcomeTest {
    private static final Fid ROOT = Fid.root(1);
    private static final Attr CREATED = new Attr(new Fid(1, 9, 9), FileType.FILE, 0644, 0, 1, "u", 1, 1, 1, List.of(1L));

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

    private Frame nextRequest() {
        Frame frame;
        while ((frame = server.next()).type() != FrameType.REQUEST) {
            // skip
        }
        return frame;
    }

    @Test
    void aChangeAnsweredTimeoutIsSentAgainWithItsIdAndCompletesWithTheRealAnswer() {
        connection = StrandConnection.connect(server.settings());
        CompletableFuture<Attr> created = connection.call(new Create(ROOT, "f", 0644, true));
        Frame first = nextRequest();
        server.error(first, new TimeoutException("the volume did not answer in time"));

        Frame again = nextRequest();
        assertThat(again.requestId()).isEqualTo(first.requestId());
        assertThat(again.body()).isEqualTo(first.body());
        server.reply(again, CREATED);

        assertThat(created.join()).isEqualTo(CREATED);
    }

    @Test
    void aChangeAnsweredUnavailableIsSentAgainAndItsRefusalIsTheAnswer() {
        connection = StrandConnection.connect(server.settings());
        CompletableFuture<Attr> created = connection.call(new Create(ROOT, "f", 0644, true));
        server.error(nextRequest(), new UnavailableException("too few replicas"));
        server.error(nextRequest(), new ExistsException("'f' exists"));

        assertThatThrownBy(created::join).hasCauseInstanceOf(ExistsException.class);
    }

    @Test
    void aChangeWhoseOutcomeNoServerTellsFailsWithOutcomeUnknown() {
        connection = StrandConnection.connect(server.settings().withReconnectTimeout(Duration.ofMillis(400)));
        CompletableFuture<Attr> created = connection.call(new Create(ROOT, "f", 0644, true));

        int attempts = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!created.isDone() && System.nanoTime() < deadline) {
            Frame frame = server.poll(Duration.ofMillis(100));
            if (frame != null && frame.type() == FrameType.REQUEST) {
                attempts++;
                server.error(frame, new TimeoutException("still no answer"));
            }
        }

        assertThat(attempts).as("asked again before giving up").isGreaterThan(1);
        assertThatThrownBy(created::join).hasCauseInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aReadAnsweredTimeoutFailsAtOnce() {
        connection = StrandConnection.connect(server.settings());
        CompletableFuture<Attr> read = connection.call(new GetAttr(ROOT));
        server.error(nextRequest(), new TimeoutException("slow"));

        assertThatThrownBy(read::join).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void withoutAClientIdOfItsOwnTheClientUsesTheIssuedOneAndSendsItWhenItReconnects() throws IOException {
        List<Hello> hellos = new CopyOnWriteArrayList<>();
        try (FakeServer issuing = new FakeServer((frame, session) -> {
            if (frame.opcode() == Opcode.HELLO.code()) {
                Hello hello = WireCodec.decode(frame.body(), Hello.class);
                hellos.add(hello);
                String id = hello.clientId() != null ? hello.clientId() : "issued-" + hellos.size();
                session.send(Frame.reply(frame.opcode(), frame.requestId(), WireCodec.encode(
                        new HelloReply(1, "strand", "s", 1, hellos.size(), 1 << 20, 8, id))));
            }
        })) {
            connection = StrandConnection.connect(issuing.settings());
            assertThat(hellos.get(0).clientId()).isNull();
            assertThat(connection.clientId()).isEqualTo("issued-1");

            issuing.dropConnections();

            await().atMost(Duration.ofSeconds(10)).until(() -> hellos.size() == 2);
            assertThat(hellos.get(1).clientId()).isEqualTo("issued-1");
            assertThat(connection.clientId()).isEqualTo("issued-1");
        }
    }
}
