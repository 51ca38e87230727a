package dev.strand.ops.management;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/** GET /metrics: the node's meters in Prometheus's text format (see docs/operations.md for the list). */
public final class MetricsRoutes implements ManagementRouteProvider {
    private final NodeManagement node;

    public MetricsRoutes(ExtendedActorSystem system) {
        this.node = NodeManagement.get(system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return Directives.path("metrics", () -> Directives.get(() -> Directives.complete(
                HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, node.scrape())))));
    }
}
