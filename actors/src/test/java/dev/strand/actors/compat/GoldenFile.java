package dev.strand.actors.compat;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One serialised sample as a journal (or a remote node) would hand it over: the serializer id, the
 * manifest and the bytes. Kept as {@code <version>/<name>.cbor} (the bytes) next to
 * {@code <version>/<name>.manifest} (serializer id and manifest, properties format).
 */
record GoldenFile(String version, String name, int serializerId, String manifest, byte[] bytes) {

    /** Where the golden files are on the test class path: one folder per version, v1, v2, ... */
    static final String RESOURCE_ROOT = "/compat";

    private static final Pattern VERSION_FOLDER = Pattern.compile("v[1-9][0-9]*");
    private static final String BYTES_SUFFIX = ".cbor";
    private static final String MANIFEST_SUFFIX = ".manifest";

    /** The class the manifest names (without the {@code #version} a JacksonMigration adds). */
    String className() {
        int hash = manifest.indexOf('#');
        return hash < 0 ? manifest : manifest.substring(0, hash);
    }

    @Override
    public String toString() {
        return version + "/" + name;
    }

    static boolean isVersionFolder(String name) {
        return VERSION_FOLDER.matcher(name).matches();
    }

    static boolean exists(Path versionFolder, String name) {
        return Files.exists(versionFolder.resolve(name + BYTES_SUFFIX))
                || Files.exists(versionFolder.resolve(name + MANIFEST_SUFFIX));
    }

    /** Writes this file into {@code versionFolder}; never replaces an existing one. */
    void writeTo(Path versionFolder) throws IOException {
        Files.createDirectories(versionFolder);
        String manifestText = "# written by " + GoldenFileWriter.class.getName() + "; never edit or regenerate\n"
                + "serializer-id=" + serializerId + "\n"
                + "manifest=" + manifest + "\n";
        // CREATE_NEW: fails rather than replace a golden file
        Files.write(versionFolder.resolve(name + BYTES_SUFFIX), bytes, StandardOpenOption.CREATE_NEW);
        Files.writeString(versionFolder.resolve(name + MANIFEST_SUFFIX), manifestText, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW);
    }

    /** Every golden file on the test class path, by version folder and name. */
    static List<GoldenFile> all() {
        Path root = classPathRoot();
        List<GoldenFile> files = new ArrayList<>();
        try (Stream<Path> folders = Files.list(root)) {
            for (Path folder : folders.filter(Files::isDirectory)
                    .filter(f -> isVersionFolder(f.getFileName().toString()))
                    .sorted(Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString().substring(1))))
                    .toList()) {
                files.addAll(readFolder(folder));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static List<GoldenFile> readFolder(Path folder) throws IOException {
        String version = folder.getFileName().toString();
        List<GoldenFile> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path manifestPath : entries.filter(p -> p.getFileName().toString().endsWith(MANIFEST_SUFFIX))
                    .sorted().toList()) {
                String fileName = manifestPath.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - MANIFEST_SUFFIX.length());
                Properties properties = new Properties();
                try (Reader reader = Files.newBufferedReader(manifestPath, StandardCharsets.UTF_8)) {
                    properties.load(reader);
                }
                byte[] bytes = Files.readAllBytes(folder.resolve(name + BYTES_SUFFIX));
                files.add(new GoldenFile(version, name, Integer.parseInt(properties.getProperty("serializer-id")),
                        properties.getProperty("manifest"), bytes));
            }
        }
        return files;
    }

    private static Path classPathRoot() {
        URL url = GoldenFile.class.getResource(RESOURCE_ROOT);
        if (url == null) {
            throw new IllegalStateException("no " + RESOURCE_ROOT + " folder on the test class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
