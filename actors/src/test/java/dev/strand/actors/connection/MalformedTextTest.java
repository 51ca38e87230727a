package dev.strand.actors.connection;

import dev.strand.actors.testing.InProcessServer;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Symlink;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeInfoRequest;
import dev.strand.protocol.message.Walk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text that is not UTF-8, over a real TCP connection. Such a name used to reach the journal, which could not
 * persist it: the replica restarted, the request answered UNAVAILABLE after seconds and the volume stalled.
 */
class MalformedTextTest {

    /** Well below the seconds a replica restart took: the answer comes from the decoder, not from a time-out. */
    private static final Duration PROMPT = Duration.ofSeconds(5);
    private static InProcessServer server;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WireClient connect(Duration timeout) throws Exception {
        return new WireClient(server.port(), timeout).greet("malformed-text-test");
    }

    @Test
    void aNameThatIsNotUtf8IsABadNameAndTheVolumeKeepsServing() throws Exception {
        VolumeInfo volume;
        Attr file;
        try (WireClient setup = new WireClient(server.port(), Duration.ofSeconds(30)).greet("setup")) {
            volume = setup.createVolume("text");
            file = setup.call(new Create(volume.root(), "existing", 0644, true), Attr.class);
        }
        Fid root = volume.root();
        String bad = "a" + WireClient.MARK + "b";
        List<Request> requests = List.of(new Create(root, bad, 0644, true), new MkDir(root, bad, 0755),
                new Link(root, bad, file.fid()), new Symlink(root, bad, "target"));
        try (WireClient client = connect(PROMPT)) {
            for (Request request : requests) {
                var answer = client.call(Opcode.of(request), WireClient.withRawBytes(request, WireClient.LONE_SURROGATE));
                assertThat(WireClient.status(answer)).as(Opcode.of(request).name()).isEqualTo(Status.BAD_NAME);
            }
            // the same connection and the volume go on at once
            client.call(new Create(root, "after", 0644, true), Attr.class);
            ReadDirReply listing = client.call(new ReadDir(root, null, 0, false), ReadDirReply.class);
            assertThat(listing.entries()).extracting(DirEntry::name).containsExactly("after", "existing");
        }
    }

    @Test
    void otherTextThatIsNotUtf8IsABadRequestAndTheConnectionStaysOpen() throws Exception {
        VolumeInfo volume;
        try (WireClient setup = new WireClient(server.port(), Duration.ofSeconds(30)).greet("setup-2")) {
            volume = setup.createVolume("targets");
        }
        try (WireClient client = connect(PROMPT)) {
            Symlink badTarget = new Symlink(volume.root(), "l", "x" + WireClient.MARK);
            assertThat(WireClient.status(client.call(Opcode.SYMLINK,
                    WireClient.withRawBytes(badTarget, WireClient.LONE_SURROGATE)))).isEqualTo(Status.BAD_REQUEST);
            VolumeInfoRequest badVolume = new VolumeInfoRequest("v" + WireClient.MARK);
            assertThat(WireClient.status(client.call(Opcode.VOLUME_INFO,
                    WireClient.withRawBytes(badVolume, WireClient.LONE_SURROGATE)))).isEqualTo(Status.BAD_REQUEST);
            Walk badWalk = new Walk(volume.root(), List.of("ok", WireClient.MARK));
            assertThat(WireClient.status(client.call(Opcode.WALK,
                    WireClient.withRawBytes(badWalk, WireClient.LONE_SURROGATE)))).isEqualTo(Status.BAD_NAME);

            assertThat(client.call(new VolumeInfoRequest("targets"), VolumeInfo.class).id()).isEqualTo(volume.id());
        }
    }

    @Test
    void aGreetingWhoseClientIdIsNotUtf8IsABadRequestAndTheClientCanGreetAgain() throws Exception {
        try (WireClient client = new WireClient(server.port(), PROMPT)) {
            Hello bad = new Hello(1, null, "t", "id-" + WireClient.MARK, "none", null);
            var answer = client.call(Opcode.HELLO, WireClient.withRawBytes(bad, WireClient.LONE_SURROGATE));
            assertThat(WireClient.status(answer)).isEqualTo(Status.BAD_REQUEST);

            var greeting = client.call(Opcode.HELLO, WireCodec.encode(new Hello(1, null, "t", "id", "none", null)));
            assertThat(greeting.type()).isEqualTo(FrameType.REPLY);
        }
    }
}
