package dev.strand.actors.connection;

import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.Attributes;
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

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts client connections on a TCP port and gives each its own {@link ConnectionActor}, wired to the socket
 * by a back-pressured sink (frames in) and a back-pressured source (bytes out). Beyond
 * {@link ConnectionSettings#maxConnections()} open connections, a new one is refused.
 */
public final class StrandTcpServer {

    private static final AtomicLong CONNECTIONS = new AtomicLong();
    /** A refused connection stays open this long after its ERROR (or until its client closes), so that what the
     *  client sent meanwhile is read: closing a socket with unread input resets it, and the ERROR could be lost. */
    private static final Duration REFUSAL_LINGER = Duration.ofSeconds(1);

    private StrandTcpServer() {}

    /** As below, with the connection settings of the system's configuration ({@code strand.connections}). */
    public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port,
                                                          ServerIdentity identity, VolumeRouter router,
                                                          ChunkStore chunks) {
        return bind(system, host, port, identity, router, chunks,
                ConnectionSettings.fromConfig(system.settings().config()));
    }

    /** Binds {@code host:port} (port 0: any free port); completes when the socket listens. */
    public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port,
                                                          ServerIdentity identity, VolumeRouter router,
                                                          ChunkStore chunks, ConnectionSettings settings) {
        Materializer materializer = Materializer.createMaterializer(system);
        AtomicInteger open = new AtomicInteger();
        return Tcp.get(Adapter.toClassic(system)).bind(host, port)
                .to(Sink.foreach(connection -> {
                    String remote = connection.remoteAddress().getHostString() + ":" + connection.remoteAddress().getPort();
                    if (open.incrementAndGet() > settings.maxConnections()) {
                        open.decrementAndGet();
                        system.log().warn("refusing connection from {}: {} connections open (strand.connections."
                                + "max-connections)", remote, settings.maxConnections());
                        connection.handleWith(refusal(settings.maxConnections()), materializer);
                        return;
                    }
                    try {
                        ActorRef<ConnectionActor.Command> actor = system.systemActorOf(
                                ConnectionActor.create(identity, router, chunks, remote, settings),
                                "connection-" + CONNECTIONS.incrementAndGet(), Props.empty());
                        ActorRef<ConnectionActor.Outbound> outbound = connection.handleWith(
                                wire(actor, settings).watchTermination((ref, done) -> {
                                    done.whenComplete((ok, failure) -> open.decrementAndGet());
                                    return ref;
                                }), materializer);
                        actor.tell(new ConnectionActor.AttachOutbound(outbound));
                    } catch (RuntimeException e) {
                        // One connection's failure must never stop the listener.
                        open.decrementAndGet();
                        system.log().error("cannot serve connection from " + remote, e);
                    }
                }))
                .run(materializer);
    }

    /** Bytes in -> frames -> the actor; the actor -> bytes out. */
    static Flow<ByteString, ByteString, ActorRef<ConnectionActor.Outbound>> wire(ActorRef<ConnectionActor.Command> actor,
                                                                             ConnectionSettings settings) {
        Sink<ByteString, ?> in = Flow.of(ByteString.class)
                // empty elements while the client sends nothing, so that the decoder notices a stalled frame
                .keepAlive(settings.frameTimeout().dividedBy(4), ByteString::emptyByteString)
                .statefulMapConcat(() -> new FrameDecoder(settings.frameTimeout(), System::nanoTime)::feed)
                .to(ActorSink.<ConnectionActor.Inbound, ConnectionActor.Command, ConnectionActor.InboundAck>
                        actorRefWithBackpressure(actor,
                        (ackTo, element) -> new ConnectionActor.InboundElement(element, ackTo),
                        ConnectionActor.InboundStarted::new,
                        ConnectionActor.InboundAck.INSTANCE,
                        ConnectionActor.InboundCompleted.INSTANCE,
                        ConnectionActor.InboundFailed::new))
                // no frames read ahead of the actor: what a connection holds is bounded by what the actor holds
                .addAttributes(Attributes.inputBuffer(1, 1));
        Source<ByteString, ActorRef<ConnectionActor.Outbound>> out = ActorSource
                .<ConnectionActor.Outbound, ConnectionActor.Command>actorRefWithBackpressure(actor,
                        ConnectionActor.OutboundAck.INSTANCE,
                        element -> element instanceof ConnectionActor.Outbound.Close
                                ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
                        // failing the stream aborts (resets) the socket, even with unsent bytes
                        element -> element instanceof ConnectionActor.Outbound.Abort
                                ? Optional.of(new IOException("connection cut off")) : Optional.empty())
                .map(element -> ((ConnectionActor.Outbound.Bytes) element).bytes())
                // The actor stops only once the socket has taken its last bytes.
                .watchTermination((ref, done) -> {
                    done.whenComplete((ok, failure) -> actor.tell(ConnectionActor.OutboundFinished.INSTANCE));
                    return ref;
                });
        return Flow.fromSinkAndSourceMat(in, out, Keep.right());
    }

    /** One ERROR UNAVAILABLE (request id 0), then close; what the client sends is read and ignored. */
    private static Flow<ByteString, ByteString, ?> refusal(int limit) {
        byte[] error = FrameCodec.encode(Frame.error(0, 0, WireCodec.encode(Status.UNAVAILABLE.exception(
                "this server has " + limit + " connections open, its limit; try again later or another server")
                .toErrorBody())));
        return Flow.fromSinkAndSourceCoupled(Sink.ignore(), Source.single(ByteString.fromArrayUnsafe(error))
                .concat(Source.<ByteString>maybe().takeWithin(REFUSAL_LINGER)));
    }
}
