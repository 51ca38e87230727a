package dev.strand.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strand.cli.Json;
import dev.strand.cli.StrandCommand;
import dev.strand.client.BlockingStrandClient;
import dev.strand.client.testing.RealServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark against a real server (one for the class), scaled down. */
class BenchmarkTest {
    private static final long SIZE = (1 << 20) + 3;

    private static RealServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RealServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private BenchmarkReport runBench() {
        BenchmarkSettings settings = new BenchmarkSettings(server.settings(), "bench", List.of(1, 3), 25, SIZE, 4,
                Duration.ofMinutes(1));
        return new Benchmark(settings, new PrintWriter(new StringWriter())).run();
    }

    @Test
    void everyPhaseRunsOncePerClientCountWithoutErrors() {
        BenchmarkReport report = runBench();

        assertThat(report.results()).extracting(PhaseResult::phase).containsExactly(
                "create", "stat", "readdir", "unlink", "store", "fetch",
                "create", "stat", "readdir", "unlink", "store", "fetch");
        assertThat(report.results()).extracting(PhaseResult::clients).containsOnly(1, 3);
        assertThat(report.errors()).isZero();
    }

    @Test
    void metadataPhasesCountEveryFileAndTransfersEveryByte() {
        BenchmarkReport report = runBench();

        for (PhaseResult r : report.results()) {
            switch (r.phase()) {
                case "create", "stat", "readdir", "unlink" -> {
                    assertThat(r.ops()).isEqualTo(25);
                    assertThat(r.unit()).isEqualTo("ops/s");
                }
                default -> {
                    assertThat(r.ops()).isEqualTo(r.clients());
                    assertThat(r.bytes()).isEqualTo(SIZE);
                    assertThat(r.unit()).isEqualTo("MB/s");
                }
            }
        }
    }

    @Test
    void theSmallFileWorkloadWritesStatsListsReadsAndDeletesEveryFileByPath() {
        BenchmarkSettings settings = new BenchmarkSettings(server.settings(), "bench", List.of(2), 0, 0, 1,
                Duration.ofMinutes(1), 9, 4096);
        BenchmarkReport report = new Benchmark(settings, new PrintWriter(new StringWriter())).run();

        assertThat(report.results()).extracting(PhaseResult::phase)
                .containsExactly("sf-write", "sf-stat", "sf-list", "sf-read", "sf-delete");
        assertThat(report.errors()).isZero();
        assertThat(report.results()).filteredOn(r -> !r.phase().equals("sf-list"))
                .extracting(PhaseResult::ops).containsOnly(9L);
        assertThat(report.smallFiles()).isEqualTo(9);
    }

    @Test
    void theBenchCreatesItsVolumeAndLeavesNothingBehind() {
        runBench();

        try (BlockingStrandClient client = BlockingStrandClient.connect(server.settings())) {
            List<String> left = new ArrayList<>();
            client.list("/bench", true, false).forEachRemaining(e -> left.add(e.name()));
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theCommandPrintsATableAndWritesJson(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("results.json");
        CommandLine commandLine = StrandCommand.commandLine();
        StringWriter stdout = new StringWriter();
        commandLine.setOut(new PrintWriter(stdout));
        commandLine.setErr(new PrintWriter(new StringWriter()));

        int code = commandLine.execute("bench", "--server", server.settings().server().toString(),
                "--clients", "2", "--files", "10", "--size", "64k", "--out", out.toString());

        assertThat(code).isZero();
        assertThat(stdout.toString()).contains("phase", "clients", "ops/s", "MB/s", "create", "fetch");
        JsonNode json = Json.mapper().readTree(out.toFile());
        assertThat(json.get("results")).hasSize(6);
        assertThat(json.get("results").get(0).get("phase").asText()).isEqualTo("create");
        assertThat(json.get("results").get(0).has("rate")).isTrue();
    }

    @Test
    void clientsGetEvenShares() {
        assertThat(Benchmark.split(10, 3)).containsExactly(4, 3, 3);
        assertThat(Benchmark.split(1L << 30, 8)).containsOnly(1L << 27);
    }
}
