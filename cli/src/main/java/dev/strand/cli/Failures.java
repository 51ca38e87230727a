package dev.strand.cli;

import dev.strand.client.OutcomeUnknownException;
import dev.strand.protocol.StrandException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Error messages on stderr: {@code strand: <path>: <message> (<STATUS>)}. */
public final class Failures {
    private Failures() {}

    /** The line to print for a failure about {@code path} (null when it concerns no path). */
    public static String describe(String path, Throwable failure) {
        Throwable t = failure instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : failure;
        String prefix = path == null ? "strand: " : "strand: " + path + ": ";
        if (t instanceof OutcomeUnknownException) {
            return prefix + t.getMessage() + " (OUTCOME UNKNOWN)";
        }
        if (t instanceof StrandException se) {
            return prefix + se.getMessage() + " (" + se.status().name() + ")";
        }
        if (t instanceof FileSystemException fse) {
            String file = fse.getFile();
            String where = file == null ? prefix : "strand: " + file + ": ";
            return where + localReason(fse);
        }
        if (t instanceof IOException) {
            return prefix + t.getMessage();
        }
        return prefix + (t.getMessage() == null ? t.toString() : t.getMessage());
    }

    private static String localReason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such local file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "local file exists";
        }
        if (e instanceof AccessDeniedException) {
            return "local permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a local directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "local directory not empty";
        }
        return e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
    }
}
