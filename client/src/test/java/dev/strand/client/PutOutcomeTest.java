package dev.strand.client;

import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.TimeoutException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.error.UnknownOpcodeException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Put;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Store;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeInfoRequest;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A put whose final rename no server confirmed finds out what happened from the names: the target holding the
 * new file means it was replaced; the temporary file still there means it was not, and is removed. The server is
 * one from before PUT (it answers UNKNOWN_OPCODE), so even a small file takes that way.
 */
class PutOutcomeTest {
    private static final Fid ROOT = Fid.root(3);
    private static final Attr ROOT_ATTR = new Attr(ROOT, FileType.DIRECTORY, 0755, 0, 2, "u", 1, 1, 1, List.of(1L));
    private static final Attr TEMPORARY = new Attr(new Fid(3, 8, 8), FileType.FILE, 0644, 0, 1, "u", 1, 1, 1,
            List.of(1L));
    private static final Attr STORED = new Attr(new Fid(3, 8, 8), FileType.FILE, 0644, 3, 1, "u", 2, 2, 2,
            List.of(2L));

    private ScriptedServer server;
    private StrandClient client;
    private final List<Request> requests = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedServer();
        client = StrandClient.connect(server.settings().withReconnectTimeout(Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /**
     * Plays a server on which /docs/f does not exist and every RENAME answers TIMEOUT; {@code renamed} says
     * whether the rename had in fact happened (what a later look at the names shows).
     */
    private CompletableFuture<Attr> putAgainstAServerWhoseRenameTimesOut(boolean renamed) {
        CompletableFuture<Attr> put = client.write("/docs/f", 3, Channels.newChannel(
                new ByteArrayInputStream("new".getBytes())), null);
        Frame store = null;
        String temporary = null;
        int renames = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!put.isDone() && System.nanoTime() < deadline) {
            Frame frame = server.poll(Duration.ofMillis(50));
            if (frame == null || frame.type() == FrameType.DATA) {
                continue;
            }
            if (frame.type() == FrameType.DATA_END) {
                server.reply(store, STORED);
                continue;
            }
            Request request = ScriptedServer.request(frame);
            requests.add(request);
            if (request instanceof VolumeInfoRequest) {
                server.reply(frame, new VolumeInfo("docs", 3, ROOT, 1, 1, 0, 1, 0, 0, List.of(1L)));
            } else if (request instanceof GetAttr) {
                server.reply(frame, ROOT_ATTR);
            } else if (request instanceof Put) { // a server older than PUT: the client takes the general way
                server.error(frame, new UnknownOpcodeException("unknown opcode 42"));
            } else if (request instanceof Create create) {
                temporary = create.name();
                server.reply(frame, TEMPORARY);
            } else if (request instanceof Store) {
                store = frame;
            } else if (request instanceof Rename) {
                renames++;
                server.error(frame, new TimeoutException("the volume did not answer in time"));
            } else if (request instanceof Walk walk) {
                String name = walk.names().get(0);
                boolean there = name.equals("f") ? renamed && renames > 0 : name.equals(temporary) && !renamed;
                if (there) {
                    server.reply(frame, new WalkReply(1, STORED));
                } else {
                    server.error(frame, new NotFoundException("no entry '" + name + "'"));
                }
            } else if (request instanceof Remove) {
                server.reply(frame, Empty.INSTANCE);
            }
        }
        assertThat(renames).as("the rename was asked again before giving up").isGreaterThan(1);
        return put;
    }

    @Test
    void aRenameThatHappenedIsASuccess() {
        CompletableFuture<Attr> put = putAgainstAServerWhoseRenameTimesOut(true);

        assertThat(put.join()).isEqualTo(STORED);
        assertThat(requests).noneMatch(r -> r instanceof Remove);
    }

    @Test
    void aRenameThatDidNotHappenRemovesTheTemporaryFileAndFailsWithTheTargetUnchanged() {
        CompletableFuture<Attr> put = putAgainstAServerWhoseRenameTimesOut(false);

        assertThatThrownBy(put::join).hasCauseInstanceOf(UnavailableException.class)
                .hasMessageContaining("/docs/f was not changed");
        assertThat(requests).anyMatch(r -> r instanceof Remove remove
                && remove.name().startsWith(AtomicWrite.TEMPORARY_PREFIX));
    }
}
