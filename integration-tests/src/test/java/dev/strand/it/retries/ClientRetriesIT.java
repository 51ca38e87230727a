package dev.strand.it.retries;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.client.StrandConnection;
import dev.strand.it.server.StrandProcess;
import dev.strand.it.support.SharedCassandra;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.VolumeCreate;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client keeps writing while its server is killed with SIGKILL and started again: it reconnects by itself,
 * resends what was in flight with the same request ids, and the server answers the ones it had already
 * applied instead of applying them twice, so the client sees no error at all (no EXISTS for its own
 * exclusive create, no NOT_FOUND for its own rename) and every file ends up complete.
 */
class ClientRetriesIT {

    private static final int FILES = 60;

    private static byte[] contents(int i) {
        byte[] bytes = new byte[500 + (i * 7919) % 400_000];
        new Random(i).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aClientCarriesOnThroughAKilledAndRestartedServerWithoutAnError(@TempDir Path dir) throws Exception {
        try (StrandProcess server = new StrandProcess(SharedCassandra.uniqueKeyspace("retries"))) {
            server.start();
            ClientSettings settings = ClientSettings.of(ServerAddress.parse(server.address()))
                    .withReconnectTimeout(Duration.ofSeconds(150)); // a restarted server JVM takes a while
            Fid root;
            try (BlockingStrandClient setup = BlockingStrandClient.connect(settings.withClientId("setup"))) {
                root = setup.volumeCreate("retries", 1).root();
            }
            Attr rawCreated;
            VolumeInfo rawVolume;
            try (RawClient raw = new RawClient(server.port(), "raw-client")) {
                rawCreated = raw.reply(5, new Create(root, "raw-f", 0644, true), Attr.class);
                raw.reply(6, new Rename(root, "raw-f", root, "raw-g"), Empty.class);
                rawVolume = raw.reply(8, new VolumeCreate("raw-volume", 1), VolumeInfo.class);
            }
            AtomicInteger done = new AtomicInteger();
            AtomicReference<StrandConnection> resentCounter = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<StrandConnection.Reconnected> reconnects = new CopyOnWriteArrayList<>();
            Thread writer = new Thread(() -> {
                try (BlockingStrandClient client = BlockingStrandClient.connect(settings)) {
                    client.async().connection().onReconnected(reconnects::add);
                    resentCounter.set(client.async().connection());
                    for (int i = 0; i < FILES; i++) {
                        Path local = dir.resolve("f" + i);
                        Files.write(local, contents(i));
                        client.createFile("/retries/f" + i, 0644, true); // exclusive: a second apply is EXISTS
                        try (FileChannel source = FileChannel.open(local)) {
                            client.write("/retries/f" + i, Files.size(local), source, n -> {});
                        }
                        client.mv("/retries/f" + i, "/retries/g" + i); // a second apply is NOT_FOUND
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "retrying-writer");
            writer.start();

            await().atMost(Duration.ofSeconds(120)).until(() -> done.get() >= 10 || failure.get() != null);
            int doneAtKill = done.get();
            long killedAt = System.nanoTime();
            server.kill();
            server.start();
            long restartedMillis = (System.nanoTime() - killedAt) / 1_000_000;
            writer.join(Duration.ofSeconds(240).toMillis());
            AtomicLong resent = new AtomicLong(resentCounter.get() == null ? -1 : resentCounter.get().resentRequests());

            assertThat(writer.isAlive()).as("the writer finished").isFalse();
            assertThat(failure.get()).as("the writer saw no error").isNull();
            assertThat(done.get()).isEqualTo(FILES);
            assertThat(reconnects).as("the client reconnected by itself, to a new server term").isNotEmpty();
            assertThat(reconnects.get(0).termChanged()).isTrue();
            System.out.printf("ClientRetriesIT: server killed after %d files, ready again after %d ms; "
                    + "%d reconnect(s), %d request(s) resent%n", doneAtKill, restartedMillis, reconnects.size(),
                    resent.get());

            // the restarted server rebuilt what it answered from its journal: the same ids get the same answers
            try (RawClient raw = new RawClient(server.port(), "raw-client")) {
                assertThat(raw.reply(5, new Create(root, "raw-f", 0644, true), Attr.class).fid())
                        .isEqualTo(rawCreated.fid());
                raw.reply(6, new Rename(root, "raw-f", root, "raw-g"), Empty.class);
                assertThat(raw.error(7, new Create(root, "raw-g", 0644, true))).as("a new request id is new")
                        .isEqualTo(Status.EXISTS);
                assertThat(raw.reply(8, new VolumeCreate("raw-volume", 1), VolumeInfo.class).id())
                        .as("a volume create sent again is recognised").isEqualTo(rawVolume.id());
                assertThat(raw.error(9, new VolumeCreate("raw-volume", 1))).as("another create of the name")
                        .isEqualTo(Status.VOLUME_EXISTS);
            }

            try (BlockingStrandClient check = BlockingStrandClient.connect(settings.withClientId("check"))) {
                for (int i = 0; i < FILES; i++) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    check.cat("/retries/g" + i, out, n -> {});
                    assertThat(out.toByteArray()).as("/retries/g" + i).isEqualTo(contents(i));
                }
                List<String> names = new java.util.ArrayList<>();
                check.list("/retries", false, false).forEachRemaining(e -> names.add(e.name()));
                assertThat(names).hasSize(FILES + 1).allMatch(name -> name.startsWith("g") || name.equals("raw-g"));
            }
        }
    }

    /** A bare socket with a client id of our choosing, so the test picks the request ids itself. */
    private static final class RawClient implements AutoCloseable {
        private final java.net.Socket socket;

        RawClient(int port, String clientId) throws IOException {
            socket = new java.net.Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            send(1, new Hello(ProtocolLimits.PROTOCOL_VERSION, "strand", "retries-it", clientId, "none", null));
            assertThat(read().type()).isEqualTo(FrameType.REPLY);
        }

        private void send(long id, Request request) throws IOException {
            socket.getOutputStream().write(FrameCodec.encode(
                    Frame.request(Opcode.of(request), id, WireCodec.encode(request))));
            socket.getOutputStream().flush();
        }

        private Frame read() throws IOException {
            return FrameCodec.read(socket.getInputStream());
        }

        <R extends Reply> R reply(long id, Request request, Class<R> type) throws IOException {
            send(id, request);
            Frame answer = read();
            assertThat(answer.type()).as("answer to request %d", id).isEqualTo(FrameType.REPLY);
            return WireCodec.decode(answer.body(), type);
        }

        Status error(long id, Request request) throws IOException {
            send(id, request);
            Frame answer = read();
            assertThat(answer.type()).isEqualTo(FrameType.ERROR);
            return WireCodec.decodeError(answer.body()).status();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
