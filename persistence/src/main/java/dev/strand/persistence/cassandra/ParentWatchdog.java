package dev.strand.persistence.cassandra;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * The main class of a Cassandra that must not outlive the process that started it: {@code ParentWatchdog
 * PARENT_PID MAIN_CLASS ARGS...} runs MAIN_CLASS and, once this process's parent is no longer PARENT_PID (it
 * exited, even by SIGKILL, and the process was handed to init), exits the JVM the orderly way (Cassandra's
 * shutdown hook drains it), or halts it if that takes over a minute.
 *
 * <p>Runs on Cassandra's classpath, so it uses nothing but the JDK, and is one class file with no nested classes
 * ({@link CassandraFiles} copies it beside Cassandra's configuration).
 */
public final class ParentWatchdog {
    static final long POLL_MILLIS = 500;
    static final long HALT_AFTER_MILLIS = 60_000;

    private ParentWatchdog() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ParentWatchdog PARENT_PID MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        long parent = Long.parseLong(args[0]);
        Thread watchdog = new Thread(() -> watch(parent), "strand-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName(args[1]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watch(long parent) {
        // The parent's PID, read from this process's own status: no PID reuse can fool it.
        while (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == parent) {
            if (!pause(POLL_MILLIS)) {
                return;
            }
        }
        System.err.println("ParentWatchdog: parent process " + parent + " is gone; stopping");
        Thread halt = new Thread(() -> {
            pause(HALT_AFTER_MILLIS);
            System.err.println("ParentWatchdog: still running " + HALT_AFTER_MILLIS + " ms after the orderly exit began; halting");
            Runtime.getRuntime().halt(1);
        }, "strand-parent-watchdog-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(0);
    }

    private static boolean pause(long millis) {
        try {
            // Polling: nothing notifies a process that its parent died, short of native prctl(PR_SET_PDEATHSIG).
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
