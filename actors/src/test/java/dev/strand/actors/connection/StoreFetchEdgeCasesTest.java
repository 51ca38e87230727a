package dev.strand.actors.connection;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * STORE and FETCH as a careless or hostile client drives them: every request is answered, and the connection
 * keeps serving (a PING sent after each case is answered).
 */
class StoreFetchEdgeCasesTest {
    private static final AtomicInteger names = new AtomicInteger();
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(TestServer.settings());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * Sends PING {@code pingId}, then reads until it and every request of {@code ids} are answered (answers come in
     * any order): the final frames by request id, DATA bytes by request id in {@code data}.
     */
    private static Map<Long, Frame> answers(TestClient client, long pingId, Map<Long, Long> data, Long... ids)
            throws IOException {
        client.request(pingId, new Ping(pingId));
        java.util.Set<Long> awaited = new java.util.HashSet<>(java.util.List.of(ids));
        awaited.add(pingId);
        Map<Long, Frame> answers = new HashMap<>();
        while (!answers.keySet().containsAll(awaited)) {
            Frame frame = client.read();
            assertThat(frame).as("the connection stays open").isNotNull();
            if (frame.type() == FrameType.DATA) {
                data.merge(frame.requestId(), (long) frame.body().length, Long::sum);
                continue;
            }
            assertThat(answers.put(frame.requestId(), frame)).as("one answer per request").isNull();
        }
        return answers;
    }

    private static Status status(Frame frame) {
        assertThat(frame.type()).isEqualTo(FrameType.ERROR);
        return WireCodec.decodeError(frame.body()).status();
    }

    /** A new file of {@code size} bytes, created with request id {@code id} and stored with {@link #storeId}. */
    private static Attr stored(TestClient client, long id, int size) throws IOException {
        Attr file = client.create(id, "f" + names.incrementAndGet());
        long store = storeId(id);
        client.request(store, new Store(file.fid(), size)).data(store, new byte[size]).dataEnd(store, size);
        Frame reply = client.read();
        assertThat(reply.type()).isEqualTo(FrameType.REPLY);
        return WireCodec.decode(reply.body(), Attr.class);
    }

    /** Request ids are never reused under one client id: the server would take a reuse for a retry. */
    private static long storeId(long createId) {
        return createId + 1_000_000;
    }

    @Test
    void moreDataThanAnnouncedIsRefusedAtOnceWithoutWaitingForDataEnd() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = client.create(2, "f" + names.incrementAndGet());
            client.request(3, new Store(file.fid(), 10)).data(3, new byte[8]).data(3, new byte[8]);

            Map<Long, Frame> answers = answers(client, 4, new HashMap<>(), 3L);
            assertThat(status(answers.get(3L))).isEqualTo(Status.BAD_REQUEST);
        }
    }

    @Test
    void fewerDataThanAnnouncedIsRefusedAtDataEnd() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = client.create(2, "f" + names.incrementAndGet());
            client.request(3, new Store(file.fid(), 10)).data(3, new byte[4]).dataEnd(3, 4);

            Map<Long, Frame> answers = answers(client, 4, new HashMap<>(), 3L);
            assertThat(status(answers.get(3L))).isEqualTo(Status.BAD_REQUEST);
        }
    }

    @Test
    void dataForNoStoreInFlightIsDiscarded() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = stored(client, 2, 5);
            // unknown id; and the finished STORE's id again
            client.data(77, new byte[100]).dataEnd(77, 100).data(storeId(2), new byte[3]).dataEnd(storeId(2), 3);

            Map<Long, Frame> answers = answers(client, 4, new HashMap<>());
            assertThat(answers).containsOnlyKeys(4L);
            client.request(5, new Fetch(file.fid(), 0, -1));
            Map<Long, Long> data = new HashMap<>();
            assertThat(WireCodec.decode(answers(client, 6, data, 5L).get(5L).body(), FetchReply.class).bytes())
                    .as("the file is unchanged").isEqualTo(5);
        }
    }

    @Test
    void aStoreToARemovedFileIsRefusedAndItsDataDiscarded() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = client.create(2, "gone");
            client.request(3, new Remove(TestServer.ROOT, "gone"));
            assertThat(client.read().type()).isEqualTo(FrameType.REPLY);

            client.request(4, new Store(file.fid(), 3_000_000));
            for (int i = 0; i < 3; i++) {
                client.data(4, new byte[1_000_000]);
            }
            client.dataEnd(4, 3_000_000);
            client.request(5, new Store(TestServer.ROOT, 1)).data(5, new byte[1]).dataEnd(5, 1);

            Map<Long, Frame> answers = answers(client, 6, new HashMap<>(), 4L, 5L);
            assertThat(status(answers.get(4L))).isIn(Status.STALE, Status.NOT_FOUND);
            assertThat(status(answers.get(5L))).isEqualTo(Status.IS_A_DIRECTORY);
        }
    }

    @Test
    void manyInterleavedStoresAreAllAnswered() throws Exception {
        try (TestClient client = server.connect().greet()) {
            int stores = 40;
            Map<Long, Attr> files = new HashMap<>();
            for (long id = 100; id < 100 + stores; id++) {
                files.put(id, client.create(id, "i" + names.incrementAndGet()));
            }
            files.forEach((id, file) -> {
                try {
                    client.request(storeId(id), new Store(file.fid(), -1));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int round = 0; round < 3; round++) {
                for (long id = 100; id < 100 + stores; id++) {
                    client.data(storeId(id), new byte[(int) (id * 100)]);
                }
            }
            for (long id = 100; id < 100 + stores; id++) {
                client.dataEnd(storeId(id), 3 * id * 100);
            }

            Map<Long, Frame> answers = answers(client, 1, new HashMap<>(),
                    files.keySet().stream().map(StoreFetchEdgeCasesTest::storeId).toArray(Long[]::new));
            for (long id = 100; id < 100 + stores; id++) {
                Frame answer = answers.get(storeId(id));
                assertThat(answer.type()).isEqualTo(FrameType.REPLY);
                assertThat(WireCodec.decode(answer.body(), Attr.class).size()).isEqualTo(3 * id * 100);
            }
        }
    }

    @Test
    void fetchesOfNothingAtAndPastTheEndAndOfTheWholeFileAreAnswered() throws Exception {
        try (TestClient client = server.connect().greet()) {
            int size = 600_000;
            Attr file = stored(client, 2, size);
            client.request(10, new Fetch(file.fid(), 0, 0));
            client.request(11, new Fetch(file.fid(), 300_000, 0));
            client.request(12, new Fetch(file.fid(), size, 10));
            client.request(13, new Fetch(file.fid(), size + 1_000_000, -1));
            client.request(14, new Fetch(file.fid(), 0, -1));
            client.request(15, new Fetch(file.fid(), size - 1, 1_000_000));
            client.request(16, new Fetch(file.fid(), 1, 1));

            Map<Long, Long> data = new HashMap<>();
            Map<Long, Frame> answers = answers(client, 3, data, 10L, 11L, 12L, 13L, 14L, 15L, 16L);
            Map<Long, Long> expected = Map.of(10L, 0L, 11L, 0L, 12L, 0L, 13L, 0L, 14L, (long) size, 15L, 1L, 16L, 1L);
            expected.forEach((id, bytes) -> {
                assertThat(answers.get(id).type()).as("FETCH %d answered", id).isEqualTo(FrameType.REPLY);
                assertThat(WireCodec.decode(answers.get(id).body(), FetchReply.class).bytes()).isEqualTo(bytes);
                assertThat(data.getOrDefault(id, 0L)).isEqualTo(bytes);
            });
        }
    }

    @Test
    void aFetchOfARemovedFileOrOfADirectoryIsRefused() throws Exception {
        try (TestClient client = server.connect().greet()) {
            Attr file = client.create(2, "fetched-gone");
            client.request(3, new Remove(TestServer.ROOT, "fetched-gone"));
            assertThat(client.read().type()).isEqualTo(FrameType.REPLY);
            client.request(4, new Fetch(file.fid(), 0, -1));
            client.request(5, new Fetch(TestServer.ROOT, 0, -1));

            Map<Long, Frame> answers = answers(client, 6, new HashMap<>(), 4L, 5L);
            assertThat(status(answers.get(4L))).isIn(Status.STALE, Status.NOT_FOUND);
            assertThat(status(answers.get(5L))).isEqualTo(Status.IS_A_DIRECTORY);
        }
    }
}
