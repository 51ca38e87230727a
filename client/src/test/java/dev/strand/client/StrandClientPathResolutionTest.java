package dev.strand.client;

import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeInfoRequest;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The exact requests a path resolution sends, against a server scripted by hand. */
class StrandClientPathResolutionTest {
    private static final Fid ROOT = Fid.root(3);
    private static final Fid LINK = new Fid(3, 10, 1);
    private static final Fid FILE = new Fid(3, 11, 1);
    private static final Attr LINK_ATTR = new Attr(LINK, FileType.SYMLINK, 0777, 7, 1, "u", 1, 1, 1, List.of(1L));
    private static final Attr FILE_ATTR = new Attr(FILE, FileType.FILE, 0644, 3, 1, "u", 1, 1, 1, List.of(1L));
    private static final VolumeInfo DOCS =
            new VolumeInfo("docs", 3, ROOT, 1, 1, -1, -1, -1, -1, List.of());

    private ScriptedServer server;
    private StrandClient client;

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

    @Test
    void aWalkStoppedAtASymlinkContinuesFromTheLinksRelativeTarget() {
        CompletableFuture<Attr> stat = client.stat("/docs/a/link/file");

        Frame volume = server.next();
        assertThat(ScriptedServer.request(volume)).isEqualTo(new VolumeInfoRequest("docs"));
        server.reply(volume, DOCS);

        Frame walk = server.next();
        assertThat(ScriptedServer.request(walk)).isEqualTo(new Walk(ROOT, List.of("a", "link", "file")));
        server.reply(walk, new WalkReply(2, LINK_ATTR));

        Frame readLink = server.next();
        assertThat(ScriptedServer.request(readLink)).isEqualTo(new ReadLink(LINK));
        server.reply(readLink, new ReadLinkReply("../real"));

        Frame secondWalk = server.next();
        assertThat(ScriptedServer.request(secondWalk)).isEqualTo(new Walk(ROOT, List.of("real", "file")));
        server.reply(secondWalk, new WalkReply(2, FILE_ATTR));

        assertThat(stat.join()).isEqualTo(FILE_ATTR);
    }

    @Test
    void theVolumeRootIsLookedUpOnceAndThenCached() {
        CompletableFuture<Attr> first = client.stat("/docs/f");
        server.reply(server.next(), DOCS);
        server.reply(server.next(), new WalkReply(1, FILE_ATTR));
        first.join();

        CompletableFuture<Attr> second = client.stat("/docs/f");
        Frame walk = server.next();
        assertThat(ScriptedServer.request(walk)).isEqualTo(new Walk(ROOT, List.of("f")));
        server.reply(walk, new WalkReply(1, FILE_ATTR));
        assertThat(second.join()).isEqualTo(FILE_ATTR);
    }

    @Test
    void statShowsAFinalSymlinkItselfWithoutReadingIt() {
        CompletableFuture<Attr> stat = client.stat("/docs/link");
        server.reply(server.next(), DOCS);
        server.reply(server.next(), new WalkReply(1, LINK_ATTR));

        assertThat(stat.join()).isEqualTo(LINK_ATTR);
    }

    @Test
    void anAbsoluteTargetIsResolvedFromTheTopAndMayNameAnotherVolume() {
        VolumeInfo other = new VolumeInfo("other", 4, Fid.root(4), 1, 1, -1, -1, -1, -1, List.of());
        CompletableFuture<Attr> stat = client.stat("/docs/link", true);
        server.reply(server.next(), DOCS);
        server.reply(server.next(), new WalkReply(1, LINK_ATTR));
        server.reply(server.next(), new ReadLinkReply("/other/x"));

        Frame volume = server.next();
        assertThat(ScriptedServer.request(volume)).isEqualTo(new VolumeInfoRequest("other"));
        server.reply(volume, other);
        Frame walk = server.next();
        assertThat(ScriptedServer.request(walk)).isEqualTo(new Walk(Fid.root(4), List.of("x")));
        server.reply(walk, new WalkReply(1, FILE_ATTR));

        assertThat(stat.join()).isEqualTo(FILE_ATTR);
    }
}
