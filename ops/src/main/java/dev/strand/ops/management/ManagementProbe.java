package dev.strand.ops.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Asks a node's management endpoint how it is, for {@code strand cluster} and the tests: the same answers an
 * operator's probe or Prometheus gets, rather than lines read from a log.
 */
public final class ManagementProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String host;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public ManagementProbe(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public String address() {
        return host + ":" + port;
    }

    /** What /ready says. */
    public enum Readiness {
        /** 200: member Up, registry answered, Cassandra answers, the client port listens. */
        READY,
        /** The endpoint answers, but not 200 (still starting, or a check fails). */
        NOT_READY,
        /** Nothing answered. */
        NO_ANSWER
    }

    public Readiness readiness() {
        try {
            return get("/ready").statusCode() == 200 ? Readiness.READY : Readiness.NOT_READY;
        } catch (IOException e) {
            return Readiness.NO_ANSWER;
        }
    }

    /** The body of /metrics (Prometheus text format). */
    public String metrics() throws IOException {
        HttpResponse<String> response = get("/metrics");
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics on " + address() + " answered " + response.statusCode());
        }
        return response.body();
    }

    /**
     * This node's view of the cluster from /cluster/members, e.g.
     * {@code 127.0.0.1:25520 Up, 127.0.0.1:25521 Up (unreachable: none)}; empty if it did not answer.
     */
    public Optional<String> membership() {
        return members().map(ManagementProbe::describe);
    }

    /** This node's own cluster address (host:port), as clients see it in HELLO's server id. */
    public Optional<String> selfNode() {
        return members().map(json -> hostPort(json.path("selfNode").asText()));
    }

    private Optional<JsonNode> members() {
        try {
            HttpResponse<String> response = get("/cluster/members");
            return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String describe(JsonNode json) {
        Map<String, String> statusByNode = new TreeMap<>();
        for (JsonNode member : json.path("members")) {
            statusByNode.put(hostPort(member.path("node").asText()), member.path("status").asText());
        }
        List<String> unreachable = new ArrayList<>();
        for (JsonNode member : json.path("unreachable")) {
            unreachable.add(hostPort(member.path("node").asText()));
        }
        unreachable.sort(null);
        return statusByNode.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "))
                + " (unreachable: " + (unreachable.isEmpty() ? "none" : String.join(", ", unreachable)) + ")";
    }

    /** "pekko://strand@127.0.0.1:25520" -> "127.0.0.1:25520". */
    static String hostPort(String address) {
        int at = address.indexOf('@');
        return at >= 0 ? address.substring(at + 1) : address;
    }

    private HttpResponse<String> get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(TIMEOUT).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
