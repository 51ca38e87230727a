package dev.strand.cli;

import dev.strand.cli.bench.Benchmark;
import dev.strand.cli.bench.BenchmarkReport;
import dev.strand.cli.bench.BenchmarkSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code strand bench}: see {@link Benchmark} (here beside the other commands, so that the bench package does not depend back on them). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
                "Measure a running server: with --small-files, write, stat, list, read and delete of small files "
                        + "with contents by path (ops/s); create, stat, readdir and unlink of empty files by fid "
                        + "(ops/s); then store and fetch of generated data (MB/s, 1 MB = 10^6 bytes), once per "
                        + "client count.",
                "Each client has its own connection and directory under the bench volume (created if missing); "
                        + "everything the bench makes is removed at the end. Exits 1 if any operation failed."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--clients", split = ",", paramLabel = "N[,N...]", defaultValue = "1,8",
            description = "Client counts, one round each (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--files", paramLabel = "N", defaultValue = "10000",
            description = "Small files per round, split among the clients (default: ${DEFAULT-VALUE}; 0 skips the metadata phases).")
    int files;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "1g", converter = SizeParser.class,
            description = "Bytes stored and fetched per round, split among the clients, e.g. 256m, 1g "
                    + "(default: ${DEFAULT-VALUE}; 0 skips the transfer phases).")
    long size;

    @Option(names = "--small-files", paramLabel = "N", defaultValue = "0",
            description = "Files with contents per round, written, stat'ed, listed, read and deleted by path through "
                    + "the client library, one call at a time per client (the workload of NFS-Ganesha's peer bench; "
                    + "default: ${DEFAULT-VALUE}, skipped).")
    int smallFiles;

    @Option(names = "--small-size", paramLabel = "SIZE", defaultValue = "4k", converter = SizeParser.class,
            description = "Size of each of the --small-files (default: ${DEFAULT-VALUE}).")
    long smallSize;

    @Option(names = "--volume", paramLabel = "NAME", defaultValue = "bench",
            description = "Volume to work in (default: ${DEFAULT-VALUE}).")
    String volume;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "1",
            description = "Requests each client keeps in flight in the metadata phases (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Time limit per phase; unfinished operations count as errors (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "bench-results.json",
            description = "Where to write the results as JSON (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--json", description = "Print the results as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (clients.stream().anyMatch(c -> c < 1) || files < 0 || smallFiles < 0 || depth < 1 || timeoutSeconds < 1
                || smallSize < 0 || smallSize > 64L << 20) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--clients and --depth must be at least 1, "
                    + "--files and --small-files at least 0, --small-size at most 64m, --timeout at least 1");
        }
        StrandCommand root = (StrandCommand) spec.root().userObject();
        BenchmarkSettings settings = new BenchmarkSettings(root.clientSettings(), volume, clients, files, size, depth,
                Duration.ofSeconds(timeoutSeconds), smallFiles, (int) smallSize);
        BenchmarkReport report = new Benchmark(settings, spec.commandLine().getErr()).run();

        try (Writer writer = Files.newBufferedWriter(out)) {
            Json.mapper().writeValue(writer, report);
        }
        if (json) {
            Json.print(spec.commandLine().getOut(), report);
        } else {
            spec.commandLine().getOut().print(Benchmark.table(report));
            spec.commandLine().getOut().println("results written to " + out);
            spec.commandLine().getOut().flush();
        }
        return report.errors() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
