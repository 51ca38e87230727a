package dev.strand.it.support;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the {@link SharedCassandra} when the JUnit platform session (the whole failsafe run) ends.
 * Registered in META-INF/services.
 */
public final class SharedCassandraSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedCassandra.stop();
    }
}
