package dev.strand.ops.management;

import dev.strand.metrics.StrandMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A node's management endpoint: pekko-management's HTTP server with its health checks (/alive; /ready = this
 * node is an Up member, the journal's Cassandra answers, its volume registry answered, and the client port
 * listens: see application.conf and {@link ReadinessChecks}), cluster membership (/cluster/members), and
 * /metrics in Prometheus's format
 * ({@link MetricsRoutes}). One per actor system; the server tells it what it has reached.
 */
public final class NodeManagement implements Extension {
    private static final Id ID = new Id();
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    private final ActorSystem<?> system;
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile boolean registryReady;
    private volatile boolean serving;

    private NodeManagement(ActorSystem<?> system) {
        this.system = system;
        StrandMetrics.get(system).registry().add(prometheus);
        new JvmMemoryMetrics().bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        new ProcessorMetrics().bindTo(prometheus);
        new UptimeMetrics().bindTo(prometheus);
    }

    public static NodeManagement get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    static NodeManagement get(org.apache.pekko.actor.ActorSystem classic) {
        return get(Adapter.toTyped(classic));
    }

    /**
     * Binds the HTTP endpoint (the actor system's configuration holds {@link ManagementSettings#overrides()})
     * and returns the port it listens on.
     */
    public int start() {
        try {
            Uri uri = PekkoManagement.get(Adapter.toClassic(system)).start().toCompletableFuture()
                    .get(BIND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return uri.port();
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the management endpoint could not listen on "
                    + system.settings().config().getString("pekko.management.http.hostname") + ":"
                    + system.settings().config().getInt("pekko.management.http.port") + " (--management-port): "
                    + cause.getMessage()); // not chained: the server reports the deepest cause's message

        }
    }

    /** Unbinds the HTTP endpoint (it also goes when the actor system stops). */
    public void stop() {
        try {
            PekkoManagement.get(Adapter.toClassic(system)).stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the actor system's end releases the port anyway
        }
    }

    /** The volume registry answered this node once: its journal is readable. */
    public void registryReady() {
        registryReady = true;
    }

    /** Whether the client port listens (false again once the server starts stopping). */
    public void serving(boolean listening) {
        serving = listening;
    }

    boolean isRegistryReady() {
        return registryReady;
    }

    boolean isServing() {
        return serving;
    }

    /** The meters in Prometheus's text format. */
    public String scrape() {
        return prometheus.scrape();
    }

    private static final class Id extends ExtensionId<NodeManagement> {
        @Override
        public NodeManagement createExtension(ActorSystem<?> system) {
            return new NodeManagement(system);
        }
    }
}
