package dev.strand.actors.connection;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.Pong;
import dev.strand.protocol.message.Store;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-flight limit ({@link ConnectionSettings#maxRequestsInFlight()}): the server stops reading while that many
 * requests are in flight, so a client that pipelines more waits instead of being refused. The volume behind the
 * server is a probe: every request it holds is one in flight, and the test decides when each is answered.
 */
class InFlightLimitTest {

    private static final int LIMIT = 4;

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private final TestProbe<VolumeReplica.Command> volume = testKit.createTestProbe();
    private int port;

    @BeforeEach
    void bind() throws Exception {
        TestProbe<VolumeRegistry.Command> registry = testKit.createTestProbe();
        KnownVolumes known = new KnownVolumes();
        VolumeRouter router = new VolumeRouter() {
            @Override
            public RecipientRef<VolumeRegistry.Command> registry() {
                return registry.ref();
            }

            @Override
            public RecipientRef<VolumeReplica.Command> replica(long volumeId) {
                return volume.ref();
            }

            @Override
            public KnownVolumes knownVolumes() {
                return known;
            }
        };
        ConnectionSettings settings = new ConnectionSettings(100, Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofSeconds(60), 4 << 20, Duration.ofSeconds(10), LIMIT);
        port = StrandTcpServer.bind(testKit.system(), "127.0.0.1", 0, new ServerIdentity("strand", "test", 1),
                router, new InMemoryChunkStore(), settings).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .localAddress().getPort();
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aClientThatPipelinesPastTheLimitWaitsAndGetsEveryAnswer() throws Exception {
        int requests = 10 * LIMIT;
        try (TestClient client = new TestClient(port)) {
            client.request(1, new Hello(ProtocolLimits.PROTOCOL_VERSION,
                    "strand", "test", null, "none", null));
            HelloReply hello = WireCodec.decode(client.read().body(), HelloReply.class);
            assertThat(hello.maxRequestsInFlight()).as("the limit announced").isEqualTo(LIMIT);

            for (long id = 100; id < 100 + requests; id++) {
                client.request(id, new GetAttr(TestServer.ROOT));
            }
            client.flush();

            // Exactly LIMIT reach the volume; the rest stay unread until one is answered.
            ArrayDeque<VolumeReplica.Execute> held = new ArrayDeque<>();
            for (int i = 0; i < LIMIT; i++) {
                held.add(volume.expectMessageClass(VolumeReplica.Execute.class));
            }
            volume.expectNoMessage(Duration.ofMillis(300));

            Set<Long> answered = new HashSet<>();
            int reachedVolume = LIMIT;
            while (!held.isEmpty()) {
                VolumeReplica.Execute next = held.poll();
                next.replyTo().tell(new VolumeReplica.Result.Done(new Pong(next.requestId())));
                Frame answer = client.read();
                assertThat(answer.type()).as("answer to %d", answer.requestId()).isEqualTo(FrameType.REPLY);
                assertThat(answered.add(answer.requestId())).isTrue();
                if (reachedVolume < requests) {
                    // one answer out, one more request in: never more than LIMIT held at once
                    held.add(volume.expectMessageClass(VolumeReplica.Execute.class));
                    reachedVolume++;
                }
                assertThat(held).hasSizeLessThanOrEqualTo(LIMIT);
            }
            assertThat(answered).hasSize(requests);
            volume.expectNoMessage(Duration.ofMillis(100));
        }
    }

    @Test
    void storesWaitingForTheirDataKeepTheConnectionReadAndABeyondTheLimitRequestIsRefused() throws Exception {
        try (TestClient client = new TestClient(port).greet()) {
            for (long id = 10; id < 10 + LIMIT; id++) {
                client.request(id, new Store(new Fid(TestServer.VOLUME, 5, 1), -1));
            }
            client.flush();
            for (int i = 0; i < LIMIT; i++) { // each STORE asks whether it may start
                VolumeReplica.PrepareStore prepare = volume.expectMessageClass(VolumeReplica.PrepareStore.class);
                prepare.replyTo().tell(new VolumeReplica.Result.Done(new Pong(0)));
            }
            // LIMIT STOREs wait for their data: reading goes on, and one more request is refused, not held
            client.request(99, new GetAttr(TestServer.ROOT));
            Frame refused = client.read();
            assertThat(refused.requestId()).isEqualTo(99);
            assertThat(refused.type()).isEqualTo(FrameType.ERROR);
            assertThat(WireCodec.decodeError(refused.body()).status()).isEqualTo(Status.TOO_MANY_REQUESTS);

            // and the STOREs' data, sent after it, still arrives: each STORE commits
            for (long id = 10; id < 10 + LIMIT; id++) {
                client.data(id, new byte[]{1, 2, 3}).dataEnd(id, 3);
            }
            client.flush();
            for (int i = 0; i < LIMIT; i++) {
                VolumeReplica.CommitStore commit = volume.expectMessageClass(VolumeReplica.CommitStore.class,
                        Duration.ofSeconds(10));
                assertThat(commit.length()).isEqualTo(3);
                commit.replyTo().tell(new VolumeReplica.Result.Done(new Pong(commit.requestId())));
            }
            Set<Long> stored = new HashSet<>();
            for (int i = 0; i < LIMIT; i++) {
                Frame answer = client.read();
                assertThat(answer.type()).isEqualTo(FrameType.REPLY);
                stored.add(answer.requestId());
            }
            assertThat(stored).containsExactlyInAnyOrder(10L, 11L, 12L, 13L);
        }
    }
}
