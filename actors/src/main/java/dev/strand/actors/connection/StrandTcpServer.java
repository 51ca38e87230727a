package dev.strand.actors.connection;

import dev.strand.persistence.ChunkStore;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

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
                    try {
                        ActorRef<ConnectionActor.Command> actor = system.systemActorOf(
                                ConnectionActor.create(identity, router, chunks, remote),
                                "connection-" + CONNECTIONS.incrementAndGet(), Props.empty());
                        ActorRef<ConnectionActor.Outbound> outbound = connection.handleWith(wire(actor), materializer);
                        actor.tell(new ConnectionActor.AttachOutbound(outbound));
                    } catch (RuntimeException e) {
                        // One connection's failure must never stop the listener.
                        system.log().error("cannot serve connection from " + remote, e);
                    }
                }))
                .run(materializer);
    }

    /** Bytes in -> frames -> the actor; the actor -> bytes out. */
    static Flow<ByteString, ByteString, ActorRef<ConnectionActor.Outbound>> wire(ActorRef<ConnectionActor.Command> actor) {
        Sink<ByteString, ?> in = Flow.of(ByteString.class)
                .statefulMapConcat(() -> new FrameDecoder()::feed)
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
                .map(element -> ((ConnectionActor.Outbound.Bytes) element).bytes())
                // The actor stops only once the socket has taken its last bytes.
                .watchTermination((ref, done) -> {
                    done.whenComplete((ok, failure) -> actor.tell(ConnectionActor.OutboundFinished.INSTANCE));
                    return ref;
                });
        return Flow.fromSinkAndSourceMat(in, out, Keep.right());
    }
}
