package dev.strand.client;

import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.error.BadFrameException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeList;
import dev.strand.protocol.message.VolumeListReply;
import dev.strand.protocol.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The list of volumes is read page by page (VOLUME_LIST after the last name) until the server says no more follow. */
class VolumeListPagingTest {

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

    private static VolumeInfo volume(String name, long id) {
        return new VolumeInfo(name, id, Fid.root(id), 1, 1, -1, -1, -1, -1, List.of());
    }

    @Test
    void everyPageIsReadUntilTheServerSaysNoMoreFollow() {
        CompletableFuture<List<VolumeInfo>> list = client.volumeList();

        Frame first = server.next();
        assertThat(ScriptedServer.request(first)).isEqualTo(new VolumeList(null, 0));
        server.reply(first, new VolumeListReply(List.of(volume("a", 1), volume("b", 2)), true));
        Frame second = server.next();
        assertThat(ScriptedServer.request(second)).isEqualTo(new VolumeList("b", 0));
        server.reply(second, new VolumeListReply(List.of(volume("c", 3)), false));

        assertThat(list.join()).extracting(VolumeInfo::name).containsExactly("a", "b", "c");
    }

    @Test
    void aPageThatDoesNotMoveOnFailsInsteadOfAskingForever() {
        CompletableFuture<List<VolumeInfo>> list = client.volumeList();

        server.reply(server.next(), new VolumeListReply(List.of(volume("a", 1), volume("b", 2)), true));
        server.reply(server.next(), new VolumeListReply(List.of(volume("b", 2)), true)); // "after b" gave b again

        assertThatThrownBy(() -> BlockingStrandClient.await(list))
                .isInstanceOf(BadFrameException.class).hasMessageContaining("'b'");
        assertThat(server.poll(java.time.Duration.ofMillis(200))).as("no third request").isNull();
    }

    @Test
    void anEmptyPageThatSaysMoreFollowFails() {
        CompletableFuture<List<VolumeInfo>> list = client.volumeList();

        server.reply(server.next(), new VolumeListReply(List.of(), true));

        assertThatThrownBy(() -> BlockingStrandClient.await(list)).isInstanceOf(BadFrameException.class);
    }
}
