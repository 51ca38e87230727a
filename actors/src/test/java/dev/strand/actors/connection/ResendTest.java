package dev.strand.actors.connection;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A request whose message to the volume's coordinator is lost (its node died) is sent again, not left to time out. */
class ResendTest {

    private static final long VOLUME = 9;
    private final ActorTestKit testKit = ActorTestKit.create();
    /** What the coordinator received, in order; it answers only from the second copy on. */
    private final List<VolumeReplica.Command> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private VolumeRequests requests() {
        var coordinator = testKit.spawn(Behaviors.<VolumeReplica.Command>receiveMessage(message -> {
            received.add(message);
            if (received.size() > 1 && message instanceof VolumeReplica.Execute execute) {
                Fid fid = ((GetAttr) execute.request()).fid();
                execute.replyTo().tell(new VolumeReplica.Result.Done(new Attr(fid, FileType.FILE, 0644, 0, 1, "u", 0,
                        0, 1, List.of(1L)), false));
            }
            return Behaviors.same();
        }));
        KnownVolumes known = new KnownVolumes();
        VolumeRouter router = new VolumeRouter() {
            @Override
            public RecipientRef<VolumeRegistry.Command> registry() {
                throw new UnsupportedOperationException();
            }

            @Override
            public RecipientRef<VolumeReplica.Command> replica(long volumeId) {
                return coordinator;
            }

            @Override
            public KnownVolumes knownVolumes() {
                return known;
            }
        };
        return new VolumeRequests(router, testKit.system().scheduler(), Duration.ofMillis(300));
    }

    @Test
    void aRequestWhoseFirstCopyIsLostIsSentAgainWithTheSameIdsAndAnswered() throws Exception {
        Fid fid = new Fid(VOLUME, 5, 1);
        Attr attr = (Attr) requests().execute(new GetAttr(fid), "client-a", 42).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        assertThat(attr.fid()).isEqualTo(fid);
        assertThat(received).hasSize(2).allSatisfy(copy -> {
            VolumeReplica.Execute execute = (VolumeReplica.Execute) copy;
            assertThat(execute.clientId()).isEqualTo("client-a");
            assertThat(execute.requestId()).isEqualTo(42);
        });
    }

    @Test
    void aRepairIsNotSentTwice() {
        // a repair carries no retry identity: a second copy could be performed twice, so it waits for its answer
        var answer = requests().askReplica(VOLUME, VolumeReplica.CheckGroup::new).toCompletableFuture();
        assertThatThrownBy(() -> answer.get(1, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(received).hasSize(1); // in a second, a resending ask would have sent three copies
    }
}
