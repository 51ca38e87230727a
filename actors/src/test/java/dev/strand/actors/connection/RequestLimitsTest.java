package dev.strand.actors.connection;

import dev.strand.actors.testing.InProcessServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Store;
import dev.strand.protocol.message.StoreEnd;
import dev.strand.protocol.message.VolumeCreate;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeInfoRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Sizes near 2^63 and the arguments the spec calls invalid, over a real TCP connection. */
class RequestLimitsTest {

    private static final long MAX = ProtocolLimits.MAX_FILE_SIZE;
    private static InProcessServer server;
    private static WireClient client;
    private static Fid root;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start();
        // the first request waits for sharding to start: a generous bound, not an expectation
        client = new WireClient(server.port(), Duration.ofSeconds(30)).greet("limits-test");
        root = client.createVolume("limits").root();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static Fid file(String name) throws Exception {
        return client.call(new Create(root, name, 0644, true), Attr.class).fid();
    }

    private static Frame store(Fid fid, long expectedLength, byte[] data) throws Exception {
        long id = client.nextId();
        client.send(new Frame(FrameType.REQUEST, 0, Opcode.STORE.code(), id, WireCodec.encode(new Store(fid, expectedLength))));
        client.send(Frame.data(Opcode.STORE.code(), id, data));
        client.send(Frame.dataEnd(Opcode.STORE.code(), id, WireCodec.encode(new StoreEnd(data.length))));
        return client.finalFrame(id);
    }

    private static byte[] fetch(Fid fid, long offset, long length, Frame[] last) throws Exception {
        long id = client.nextId();
        client.send(new Frame(FrameType.REQUEST, 0, Opcode.FETCH.code(), id, WireCodec.encode(new Fetch(fid, offset, length))));
        return client.fetchData(id, last);
    }

    @Test
    void aSizeBeyondTheLargestFileIsRefusedAndTheLargestIsServed() throws Exception {
        Fid fid = file("huge");

        Frame tooLarge = client.call(Opcode.SET_ATTR, WireCodec.encode(new SetAttr(fid, null, Long.MAX_VALUE, null)));
        assertThat(WireClient.status(tooLarge)).isEqualTo(Status.FILE_TOO_LARGE);
        Frame justTooLarge = client.call(Opcode.SET_ATTR, WireCodec.encode(new SetAttr(fid, null, MAX + 1, null)));
        assertThat(WireClient.status(justTooLarge)).isEqualTo(Status.FILE_TOO_LARGE);

        Attr largest = client.call(new SetAttr(fid, null, MAX, null), Attr.class);
        assertThat(largest.size()).isEqualTo(MAX);

        // the last 10 bytes, asked for with a length that overflows offset + length
        Frame[] last = new Frame[1];
        byte[] tail = fetch(fid, MAX - 10, Long.MAX_VALUE, last);
        assertThat(WireClient.replyOf(last[0], FetchReply.class).bytes()).isEqualTo(10);
        assertThat(tail).containsExactly(new byte[10]);
        byte[] beyond = fetch(fid, Long.MAX_VALUE, Long.MAX_VALUE, last);
        assertThat(beyond).isEmpty();
        assertThat(WireClient.replyOf(last[0], FetchReply.class).bytes()).isZero();
    }

    @Test
    void aFetchWhoseEndOverflowsReadsToTheEndOfTheFile() throws Exception {
        Fid fid = file("hello");
        WireClient.replyOf(store(fid, 5, "hello".getBytes(StandardCharsets.US_ASCII)), Attr.class);

        Frame[] last = new Frame[1];
        byte[] data = fetch(fid, 1, Long.MAX_VALUE, last);

        assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo("ello");
        assertThat(WireClient.replyOf(last[0], FetchReply.class).bytes()).isEqualTo(4);
    }

    @Test
    void aStoreAnnouncingMoreThanTheLargestFileIsRefusedAtOnce() throws Exception {
        Fid fid = file("announced");
        Frame answer = client.call(Opcode.STORE, WireCodec.encode(new Store(fid, MAX + 1)));
        assertThat(WireClient.status(answer)).isEqualTo(Status.FILE_TOO_LARGE);
    }

    @Test
    void aStoreSendingMoreThanItAnnouncedIsRefusedBeforeItsEnd() throws Exception {
        Fid fid = file("overrun");
        long id = client.nextId();
        client.send(new Frame(FrameType.REQUEST, 0, Opcode.STORE.code(), id, WireCodec.encode(new Store(fid, 3))));
        client.send(Frame.data(Opcode.STORE.code(), id, new byte[4]));
        // no DATA_END: the refusal comes from the bytes themselves
        assertThat(WireClient.status(client.finalFrame(id))).isEqualTo(Status.BAD_REQUEST);
    }

    @Test
    void lengthsTheSpecCallsInvalidAreRefused() throws Exception {
        Fid fid = file("spec");
        Frame fetch = client.call(Opcode.FETCH, WireCodec.encode(new Fetch(fid, 0, -2)));
        assertThat(WireClient.status(fetch)).isEqualTo(Status.INVALID_ARGUMENT);
        assertThat(WireClient.error(fetch).message()).contains("-2");
        Frame store = client.call(Opcode.STORE, WireCodec.encode(new Store(fid, -2)));
        assertThat(WireClient.status(store)).isEqualTo(Status.INVALID_ARGUMENT);
        assertThat(WireClient.error(store).message()).contains("-2");
    }

    @Test
    void aNegativeReplicaCountIsRefusedNotTakenAsOne() throws Exception {
        Frame create = client.call(Opcode.VOLUME_CREATE, WireCodec.encode(new VolumeCreate("negative", -1)));
        assertThat(WireClient.status(create)).isEqualTo(Status.INVALID_ARGUMENT);
        assertThat(WireClient.error(create).message()).contains("-1");
        Frame info = client.call(Opcode.VOLUME_INFO, WireCodec.encode(new VolumeInfoRequest("negative")));
        assertThat(WireClient.status(info)).as("nothing created").isEqualTo(Status.NO_SUCH_VOLUME);

        // 0 still means 1, as the spec says
        assertThat(client.call(new VolumeCreate("zero", 0), VolumeInfo.class).replicas()).isEqualTo(1);
    }

    @Test
    void aGreetingWithoutAuthMethodIsABadRequestAndLeavesTheConnectionUngreeted() throws Exception {
        try (WireClient fresh = new WireClient(server.port(), Duration.ofSeconds(10))) {
            Frame answer = fresh.call(Opcode.HELLO, WireCodec.encode(new Hello(1, null, "t", "no-auth", null, null)));
            assertThat(WireClient.status(answer)).isEqualTo(Status.BAD_REQUEST);
            assertThat(WireClient.error(answer).message()).contains("authMethod");

            Frame ping = fresh.call(Opcode.PING, WireCodec.encode(new dev.strand.protocol.message.Ping(1)));
            assertThat(WireClient.status(ping)).isEqualTo(Status.GREETING_REQUIRED);
            fresh.greet("no-auth");
        }
    }

    @Test
    void aGreetingWithAClientIdTooLongToRecordIsABadRequest() throws Exception {
        try (WireClient fresh = new WireClient(server.port(), Duration.ofSeconds(10))) {
            String longId = "x".repeat(ProtocolLimits.MAX_HELLO_TEXT_BYTES + 1);
            Frame answer = fresh.call(Opcode.HELLO, WireCodec.encode(new Hello(1, null, "t", longId, "none", null)));
            assertThat(WireClient.status(answer)).isEqualTo(Status.BAD_REQUEST);
        }
    }
}
