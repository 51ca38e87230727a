package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that talks to a server: connects with the inherited options, runs, says goodbye. Failures about
 * a path are reported as {@code strand: <path>: <message> (<STATUS>)} and turned into the exit code.
 */
public abstract class ClientCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    /** The work, with a connected client; answers the exit code. */
    protected abstract int run(BlockingStrandClient client) throws Exception;

    @Override
    public Integer call() throws Exception {
        try (BlockingStrandClient client = root().connect()) {
            int code = run(client);
            out().flush();
            return code;
        }
    }

    protected StrandCommand root() {
        return (StrandCommand) spec.root().userObject();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints a failure about {@code path} and answers its exit code. */
    protected int report(String path, Throwable failure) {
        err().println(Failures.describe(path, failure));
        err().flush();
        return ExitCodes.of(failure);
    }

    /** Runs {@code action} for one path; a failure is reported and its exit code answered. */
    protected int onPath(String path, PathAction action) {
        try {
            action.run();
            return ExitCodes.OK;
        } catch (RuntimeException e) {
            return report(path, e);
        }
    }

    /** The first failure's code wins, so a script sees the earliest problem. */
    protected static int combine(int soFar, int next) {
        return soFar != ExitCodes.OK ? soFar : next;
    }

    @FunctionalInterface
    protected interface PathAction {
        void run();
    }
}
