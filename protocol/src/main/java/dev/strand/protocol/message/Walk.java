package dev.strand.protocol.message;

import java.util.List;

/**
 * Looks up a path, one name after another, from a directory, in one round trip. The walk stops early at
 * a symbolic link that is not the last name, so the client can read it and carry on from its target.
 */
public record Walk(Fid start, @EntryName List<String> names) implements Request {}
