package dev.strand.actors.connection;

import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts client connections on a TCP port and gives each its own {@link ConnectionActor}, wired to the socket
 * by a back-pressured sink (frames in) and a back-pressured source (bytes out).
 */
public final class StrandTcpServer {

    private static final AtomicLong CONNECTIONS = new AtomicLong();

    private StrandTcpServer() {}

    /** Binds {@code host:port} (port 0: any free port); completes when the socket listens. */
    public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port,
                                                          ServerIdentity identity, VolumeRouter router,
                                                          ChunkStore chunks) {
        Materializer materializer = Materializer.createMaterializer(system);
        return Tcp.get(Adapter.toClassic(system)).bind(host, port)
                .to(Sink.foreach(connection -> {
                    String remote = connection.remoteAddress().getHostString() + ":" + connection.remoteAddress().getPort();
                    ActorRef<ConnectionActor.Command> actor = Adapter.spawn(Adapter.toClassic(system),
                            ConnectionActor.create(identity, router, chunks, remote),
                            "connection-" + CONNECTIONS.incrementAndGet());
                    ActorRef<ConnectionActor.Outbound> outbound = connection.handleWith(wire(actor), materializer);
                    actor.tell(new ConnectionActor.AttachOutbound(outbound));
                }))
                .run(materializer);
    }

    /** Bytes in -> frames -> the actor; the actor -> bytes out. */
    static Flow<ByteString, ByteString, ActorRef<ConnectionActor.Outbound>> wire(ActorRef<ConnectionActor.Command> actor) {
        Sink<ByteString, ?> in = Flow.of(ByteString.class)
                // The length prefix is checked here before a frame is buffered; an oversize one fails the stream.
                .via(Framing.lengthField(4, 0, 4 + ProtocolLimits.MAX_FRAME_LENGTH, ByteOrder.BIG_ENDIAN))
                .map(StrandTcpServer::decode)
                .to(ActorSink.<ConnectionActor.Inbound, ConnectionActor.Command, ConnectionActor.InboundAck>
                        actorRefWithBackpressure(actor,
                        (ackTo, element) -> new ConnectionActor.InboundElement(element, ackTo),
                        ConnectionActor.InboundStarted::new,
                        ConnectionActor.InboundAck.INSTANCE,
                        ConnectionActor.InboundCompleted.INSTANCE,
                        ConnectionActor.InboundFailed::new));
        Source<ByteString, ActorRef<ConnectionActor.Outbound>> out = ActorSource
                .<ConnectionActor.Outbound, ConnectionActor.Command>actorRefWithBackpressure(actor,
                        ConnectionActor.OutboundAck.INSTANCE,
                        element -> element instanceof ConnectionActor.Outbound.Close
                                ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
                        element -> Optional.empty())
                .map(element -> ((ConnectionActor.Outbound.Bytes) element).bytes());
        return Flow.fromSinkAndSourceMat(in, out, Keep.right());
    }

    private static ConnectionActor.Inbound decode(ByteString bytes) {
        byte[] frame = bytes.toArrayUnsafe();
        try {
            Frame decoded = FrameCodec.decodeWithoutLength(frame, 4, frame.length - 4);
            return new ConnectionActor.Inbound.Decoded(decoded);
        } catch (StrandException e) {
            return new ConnectionActor.Inbound.Malformed(e.getMessage());
        }
    }
}
