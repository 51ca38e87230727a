package dev.strand.actors.connection;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A client may half-close its socket (SHUT_WR) after its last request: it is answered everything, then closed. */
class HalfCloseTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(TestServer.settings());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Final frames (REPLY or ERROR) by request id until the server closes; DATA frames counted apart. */
    private static Map<Long, Frame> answersUntilClosed(TestClient client, Map<Long, Long> dataBytes) throws Exception {
        Map<Long, Frame> answers = new HashMap<>();
        for (Frame frame = client.read(); frame != null; frame = client.read()) {
            if (frame.type() == FrameType.DATA) {
                dataBytes.merge(frame.requestId(), (long) frame.body().length, Long::sum);
            } else {
                assertThat(answers.put(frame.requestId(), frame)).as("one answer per request").isNull();
            }
        }
        return answers;
    }

    @Test
    void everyRequestSentBeforeTheHalfCloseIsAnsweredThenTheServerCloses() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = client.create(2, "half-close");
            byte[] contents = new byte[300_000];
            client.request(3, new Store(file.fid(), contents.length)).data(3, contents).dataEnd(3, contents.length);
            for (long id = 10; id < 60; id++) {
                client.request(id, new Ping(id));
            }
            client.request(60, new Create(TestServer.ROOT, "made-after", 0644, true));
            client.shutdownOutput();

            Map<Long, Long> data = new HashMap<>();
            Map<Long, Frame> answers = answersUntilClosed(client, data);

            assertThat(answers.keySet()).as("every request answered before the close")
                    .containsAll(java.util.stream.LongStream.rangeClosed(10, 60).boxed().toList()).contains(3L);
            assertThat(answers.values()).allMatch(f -> f.type() == FrameType.REPLY);
            assertThat(WireCodec.decode(answers.get(3L).body(), Attr.class).size()).isEqualTo(contents.length);
        }
        try (TestClient later = server.connect().greet()) {
            later.request(2, new Fetch(TestServer.ROOT, 0, 0)); // the server still serves
            assertThat(later.readError()).isEqualTo(Status.IS_A_DIRECTORY);
        }
    }

    @Test
    void aFetchInProgressAtTheHalfCloseIsSentInFull() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = client.create(2, "fetched-after-half-close");
            byte[] contents = new byte[1_500_000];
            client.request(3, new Store(file.fid(), contents.length)).data(3, new byte[1 << 20])
                    .data(3, new byte[contents.length - (1 << 20)]).dataEnd(3, contents.length);
            assertThat(client.read().type()).isEqualTo(FrameType.REPLY);

            client.request(4, new Fetch(file.fid(), 0, -1));
            client.shutdownOutput();

            Map<Long, Long> data = new HashMap<>();
            Map<Long, Frame> answers = answersUntilClosed(client, data);
            assertThat(WireCodec.decode(answers.get(4L).body(), FetchReply.class).bytes()).isEqualTo(contents.length);
            assertThat(data.get(4L)).isEqualTo(contents.length);
        }
    }

    @Test
    void aStoreStillWaitingForItsDataAtTheHalfCloseIsRefusedThenTheServerCloses() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = client.create(2, "never-ended");
            client.request(3, new Store(file.fid(), 10)).data(3, new byte[4]);
            client.request(4, new Ping(4));
            client.shutdownOutput();

            Map<Long, Frame> answers = answersUntilClosed(client, new HashMap<>());
            assertThat(answers.get(4L).type()).isEqualTo(FrameType.REPLY);
            assertThat(answers.get(3L).type()).isEqualTo(FrameType.ERROR);
            assertThat(WireCodec.decodeError(answers.get(3L).body()).status()).isEqualTo(Status.BAD_REQUEST);
        }
    }
}
