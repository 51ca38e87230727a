package dev.strand.actors.connection;

import com.typesafe.config.ConfigFactory;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.VolumeCreate;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests are known by (client id, request id). A client that sends no client id is issued one that no other
 * client has, and a request id reused for another request is refused rather than answered with the first one's
 * result.
 */
class ClientIdentityTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            """).withFallback(ActorTestSupport.inMemoryPersistence()));
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        InMemoryChunkStore chunks = new InMemoryChunkStore();
        VolumeReplica.init(testKit.system(), chunks, ActorTestSupport.quietSettings(), ActorTestSupport.fence());
        dev.strand.actors.coordinator.VolumeCoordinator.init(testKit.system(), chunks); // as StrandServer does
        VolumeRegistry.init(testKit.system(), ActorTestSupport.fence());
        dev.strand.actors.coordinator.VolumeCoordinator.init(testKit.system(), chunks); // requests go through it
        port = StrandTcpServer.bind(testKit.system(), "127.0.0.1", 0, new ServerIdentity("strand", "n1", 1),
                        VolumeRouter.sharded(testKit.system()), chunks)
                .toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A blocking connection speaking raw frames, one request at a time. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final HelloReply hello;

        Client(String clientId) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            hello = (HelloReply) call(1, new Hello(ProtocolLimits.PROTOCOL_VERSION, null, "test", clientId, "none",
                    null));
        }

        /** The reply, or the ERROR's status. */
        Object call(long requestId, Request request) throws IOException {
            Opcode op = Opcode.of(request);
            out.write(FrameCodec.encode(Frame.request(op, requestId, WireCodec.encode(request))));
            out.flush();
            Frame frame = FrameCodec.read(in);
            assertThat(frame.requestId()).isEqualTo(requestId);
            if (frame.type() == FrameType.ERROR) {
                return WireCodec.decodeError(frame.body()).status();
            }
            return WireCodec.decode(frame.body(), op.replyType());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void twoAnonymousClientsCreatingWithTheSameRequestIdBothCreateTheirFile() throws Exception {
        VolumeInfo volume;
        try (Client admin = new Client(null)) {
            volume = (VolumeInfo) admin.call(2, new VolumeCreate("anon", 1));
        }
        try (Client first = new Client(null); Client second = new Client(null)) {
            assertThat(first.hello.clientId()).as("issued by the server").isNotBlank();
            assertThat(second.hello.clientId()).isNotBlank().isNotEqualTo(first.hello.clientId());

            // request id 1, as each client's HELLO was: it is no longer in flight, so it may be used again
            Object a = first.call(1, new Create(volume.root(), "a", 0644, true));
            Object b = second.call(1, new Create(volume.root(), "b", 0644, true));

            assertThat(a).isInstanceOf(Attr.class);
            assertThat(b).isInstanceOf(Attr.class);
            assertThat(((Attr) b).fid()).isNotEqualTo(((Attr) a).fid());
            WalkReply walked = (WalkReply) first.call(8, new Walk(volume.root(), List.of("b")));
            assertThat(walked.attr().fid()).isEqualTo(((Attr) b).fid());
        }
    }

    @Test
    void aClientIdTooLongToRecordWithEveryChangeIsRefused() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            Hello hello = new Hello(ProtocolLimits.PROTOCOL_VERSION, null, "test", "x".repeat(256), "none", null);
            socket.getOutputStream().write(FrameCodec.encode(Frame.request(Opcode.HELLO, 1, WireCodec.encode(hello))));
            Frame answer = FrameCodec.read(new BufferedInputStream(socket.getInputStream()));

            assertThat(answer.type()).isEqualTo(FrameType.ERROR);
            assertThat(WireCodec.decodeError(answer.body()).status()).isEqualTo(Status.BAD_REQUEST);
        }
    }

    @Test
    void aClientThatReconnectsWithItsIssuedIdRetriesUnderItAndCannotReuseARequestIdForAnotherRequest()
            throws Exception {
        VolumeInfo volume;
        String issued;
        Attr created;
        try (Client client = new Client(null)) {
            issued = client.hello.clientId();
            volume = (VolumeInfo) client.call(2, new VolumeCreate("reuse", 1));
            created = (Attr) client.call(3, new Create(volume.root(), "a", 0644, true));
        }
        try (Client again = new Client(issued)) {
            assertThat(again.hello.clientId()).isEqualTo(issued);

            Object retried = again.call(3, new Create(volume.root(), "a", 0644, true));
            Object reused = again.call(3, new Create(volume.root(), "other", 0644, true));

            assertThat(((Attr) retried).fid()).as("the retry is answered as the first time").isEqualTo(created.fid());
            assertThat(reused).isEqualTo(Status.REQUEST_ID_REUSED);
            assertThat(again.call(4, new Walk(volume.root(), List.of("other")))).isEqualTo(Status.NOT_FOUND);
        }
    }
}
