package dev.strand.actors.connection;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Pong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The connection actor driven message by message, for orderings a real socket produces only by chance. */
class ConnectionActorTest {
    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private static ActorRef<ConnectionActor.Command> connection() {
        TestProbe<VolumeRegistry.Command> registry = testKit.createTestProbe();
        TestProbe<VolumeReplica.Command> replica = testKit.createTestProbe();
        KnownVolumes known = new KnownVolumes();
        VolumeRouter router = new VolumeRouter() {
            @Override
            public RecipientRef<VolumeRegistry.Command> registry() {
                return registry.ref();
            }

            @Override
            public RecipientRef<VolumeReplica.Command> replica(long volumeId) {
                return replica.ref();
            }

            @Override
            public KnownVolumes knownVolumes() {
                return known;
            }
        };
        return testKit.spawn(ConnectionActor.create(new ServerIdentity("strand", "test", 1), router,
                new InMemoryChunkStore(), "test", TestServer.settings()));
    }

    private static ConnectionActor.InboundElement frame(Frame frame, TestProbe<ConnectionActor.InboundAck> acks) {
        return new ConnectionActor.InboundElement(new ConnectionActor.Inbound.Decoded(frame), acks.ref());
    }

    private static List<Frame> frames(ConnectionActor.Outbound.Bytes bytes) throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes.bytes().toArray());
        List<Frame> frames = new ArrayList<>();
        for (Frame f = FrameCodec.read(in); f != null; f = FrameCodec.read(in)) {
            frames.add(f);
        }
        return frames;
    }

    @Test
    void aClientWhoseInputEndsBeforeItsSocketIsWiredIsStillAnsweredAndClosed() throws Exception {
        ActorRef<ConnectionActor.Command> actor = connection();
        TestProbe<ConnectionActor.InboundAck> acks = testKit.createTestProbe();
        actor.tell(new ConnectionActor.InboundStarted(acks.ref()));
        acks.expectMessage(ConnectionActor.InboundAck.INSTANCE);
        actor.tell(frame(Frame.request(Opcode.HELLO, 1, WireCodec.encode(
                new Hello(ProtocolLimits.PROTOCOL_VERSION, "strand", "test", null, "none", null))), acks));
        acks.expectMessage(ConnectionActor.InboundAck.INSTANCE);
        actor.tell(frame(Frame.request(Opcode.PING, 2, WireCodec.encode(new Ping(42))), acks));
        acks.expectMessage(ConnectionActor.InboundAck.INSTANCE);
        // the client half-closed at once: the input ends before the outbound stream is attached
        actor.tell(ConnectionActor.InboundCompleted.INSTANCE);

        TestProbe<ConnectionActor.Outbound> socket = testKit.createTestProbe();
        actor.tell(new ConnectionActor.AttachOutbound(socket.ref()));

        List<Frame> sent = frames(socket.expectMessageClass(ConnectionActor.Outbound.Bytes.class));
        assertThat(sent).extracting(Frame::type).containsExactly(FrameType.REPLY, FrameType.REPLY);
        assertThat(WireCodec.decode(sent.get(1).body(), Pong.class).nonce()).isEqualTo(42);
        actor.tell(ConnectionActor.OutboundAck.INSTANCE);
        socket.expectMessage(ConnectionActor.Outbound.Close.INSTANCE);
    }
}
