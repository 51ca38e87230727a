package dev.strand.client;

import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.error.ChangedException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A fetch resumed after a lost connection expects the data version of its first attempt; when the file was
 * stored again meanwhile the server answers CHANGED, and the client never splices two versions: get starts
 * over into its temporary file, cat (whose output cannot take bytes back) fails with CHANGED.
 */
class ChangedDuringFetchTest {
    private static final Fid ROOT = Fid.root(3);
    private static final Fid FILE = new Fid(3, 11, 1);
    private static final VolumeInfo DOCS = new VolumeInfo("docs", 3, ROOT, 1, 1, -1, -1, -1, -1, List.of());
    private static final byte[] OLD = filled(300, (byte) 'o');
    private static final byte[] NEW = filled(500, (byte) 'n');

    private ScriptedServer server;
    private StrandClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void connect() throws IOException {
        server = new ScriptedServer();
        client = StrandClient.connect(server.settings());
    }

    @AfterEach
    void stop() {
        server.close();
        client.close();
    }

    private static byte[] filled(int n, byte b) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, b);
        return bytes;
    }

    private static Attr file(long dataVersion, int size) {
        return new Attr(FILE, FileType.FILE, 0644, size, 1, "u", 1, 1, dataVersion, List.of(dataVersion));
    }

    private Frame nextRequest() {
        Frame frame;
        while ((frame = server.next()).type() != FrameType.REQUEST) {
            // frames the lost connection left behind
        }
        return frame;
    }

    /** Looks up /docs/f (version 1, {@link #OLD}), sends the first 100 bytes, then loses the connection. */
    private Frame startFetchAndLoseTheConnection(java.util.function.LongSupplier delivered) {
        server.reply(nextRequest(), DOCS);
        Frame walk = nextRequest();
        assertThat(ScriptedServer.request(walk)).isEqualTo(new Walk(ROOT, List.of("f")));
        server.reply(walk, new WalkReply(1, file(1, OLD.length)));
        Frame fetch = nextRequest();
        assertThat(ScriptedServer.request(fetch)).isEqualTo(new Fetch(FILE, 0, -1, 1L));
        server.data(fetch, Arrays.copyOf(OLD, 100));
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.getAsLong() == 100);

        server.dropConnection();
        Frame resumed = nextRequest();
        assertThat(ScriptedServer.request(resumed)).isEqualTo(new Fetch(FILE, 100, -1, 1L));
        return resumed;
    }

    @Test
    void getStartsOverWithTheNewVersionWhenTheResumedFetchFindsTheFileChanged() throws IOException {
        Path local = dir.resolve("copy");
        java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong();
        CompletableFuture<FetchReply> got = client.get("/docs/f", local, progress::set);
        Frame resumed = startFetchAndLoseTheConnection(progress::get);

        server.error(resumed, new ChangedException("3.11.1 is at data version 2"));
        Frame walk = nextRequest();
        assertThat(ScriptedServer.request(walk)).isEqualTo(new Walk(ROOT, List.of("f")));
        server.reply(walk, new WalkReply(1, file(2, NEW.length)));
        Frame again = nextRequest();
        assertThat(ScriptedServer.request(again)).isEqualTo(new Fetch(FILE, 0, -1, 2L));
        server.data(again, NEW);
        server.reply(again, new FetchReply(file(2, NEW.length), NEW.length));

        assertThat(got.join().attr().dataVersion()).isEqualTo(2);
        assertThat(Files.readAllBytes(local)).isEqualTo(NEW);
    }

    @Test
    void catFailsWithChangedWhenTheResumedFetchFindsTheFileChangedAfterBytesWereWritten() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<FetchReply> cat = client.cat("/docs/f", out, null);
        Frame resumed = startFetchAndLoseTheConnection(out::size);

        server.error(resumed, new ChangedException("3.11.1 is at data version 2"));

        assertThatThrownBy(cat::join).hasCauseInstanceOf(ChangedException.class)
                .hasMessageContaining("/docs/f changed while it was being read, after 100 bytes");
        assertThat(out.toByteArray()).isEqualTo(Arrays.copyOf(OLD, 100));
    }

    @Test
    void catLooksTheFileUpAgainWhenItChangedBeforeTheFirstByte() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<FetchReply> cat = client.cat("/docs/f", out, null);
        server.reply(nextRequest(), DOCS);
        server.reply(nextRequest(), new WalkReply(1, file(1, OLD.length)));
        server.error(nextRequest(), new ChangedException("3.11.1 is at data version 2"));

        server.reply(nextRequest(), new WalkReply(1, file(2, NEW.length)));
        Frame again = nextRequest();
        assertThat(ScriptedServer.request(again)).isEqualTo(new Fetch(FILE, 0, -1, 2L));
        server.data(again, NEW);
        server.reply(again, new FetchReply(file(2, NEW.length), NEW.length));

        assertThat(cat.join().bytes()).isEqualTo(NEW.length);
        assertThat(out.toByteArray()).isEqualTo(NEW);
    }
}
