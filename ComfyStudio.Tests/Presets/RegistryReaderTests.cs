using System.Text.Json.Nodes;
using ComfyStudio.Services.Presets;
using ComfyStudio.Tests.Hosting;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Presets;

/// <summary>The real public registry (the snapshot in <c>registry/</c>), every file of it, flaws included.</summary>
public sealed class RegistryReaderTests : IDisposable
{
    private static string Snapshot => Path.Combine(TestPaths.RepoRoot(), "registry");
    private readonly string _dir = TestPaths.NewTempDir("registry");

    [Fact]
    public void Every_preset_file_in_the_snapshot_parses()
    {
        var files = Directory.EnumerateFiles(Path.Combine(Snapshot, "presets"), "preset.yaml", SearchOption.AllDirectories).ToList();
        Assert.Equal(56, files.Count);
        foreach (var file in files)
        {
            var preset = PresetDefinition.FromJson(RegistryReader.ParseYaml(File.ReadAllText(file)));
            Assert.Equal(Path.GetFileName(Path.GetDirectoryName(file)), preset.Id);
            Assert.NotEmpty(preset.Files);
            Assert.All(preset.Files, f => Assert.True(f.SizeBytes > 0, $"{preset.Id}: {f.Path} has size '{f.SizeText}'"));
            Assert.True(preset.DownloadSizeBytes > 0, $"{preset.Id}: download_size '{preset.DownloadSizeText}'");
        }
    }

    [Fact]
    public async Task The_whole_registry_reads_with_its_index_and_definitions()
    {
        var catalog = await RegistryReader.ReadFolderAsync(Snapshot);
        Assert.Equal(56, catalog.Presets.Count);
        Assert.Equal(56, catalog.Entries.Count);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(Snapshot, "registry.json")))!["presets"]!.AsObject();
        foreach (var (id, entry) in index)
            Assert.Equal(entry!["file_count"]!.GetValue<int>(), catalog.Presets[id].Files.Count);
        var files = catalog.Presets.Values.SelectMany(p => p.Files).ToList();
        Assert.Equal(183, files.Count);
        Assert.Equal(71, files.Select(f => f.Path).Distinct().Count());
        Assert.Equal(19, catalog.Presets.Values.Count(p => p.Files.Any(f => f.Path == "text_encoders/t5xxl_fp16.safetensors")));
        Assert.All(files, f => Assert.Null(f.Revision));  // nothing pinned in the real registry
        Assert.All(files, f => Assert.Null(f.Sha256));
        Assert.Contains(files, f => f.Url.Contains("/blob/")); // kept as given; the engine turns it into /resolve/
    }

    [Fact]
    public async Task Sizes_and_requirements_read_as_what_they_mean()
    {
        var catalog = await RegistryReader.ReadFolderAsync(Snapshot);
        Assert.Equal(12, catalog.Presets["flux-schnell-basic"].VramGb);
        Assert.Equal(24_000_000_000L, catalog.Presets["flux-schnell-basic"].DownloadSizeBytes);
        Assert.Contains(catalog.Presets.Values, p => p.DownloadSizeText == "~23GB" && p.DownloadSizeBytes == 23_000_000_000L);
        Assert.Contains(catalog.Presets.Values.SelectMany(p => p.Files), f => f.SizeText == "15.27GB (15635MB)" && f.SizeBytes == 15_635_000_000L);
        Assert.Equal(538_000_000L, catalog.Presets["wainsfw-v140"].DownloadSizeBytes);
        // vram_gb: 0 (or missing) means unknown, not "needs no GPU".
        Assert.Null(catalog.Presets["ace-step-audio-to-audio"].VramGb);
        Assert.Null(catalog.Entries.Single(e => e.Id == "ace-step-audio-to-audio").VramGb);
    }

    [Theory]
    [InlineData("~23GB", 23_000_000_000L)]
    [InlineData("15.27GB (15635MB)", 15_635_000_000L)] // two figures: the larger, so a space check never counts short
    [InlineData("16GB (15000MB)", 16_000_000_000L)]
    [InlineData("538MB", 538_000_000L)]
    [InlineData("1.5 GiB", 1610612736L)]
    [InlineData("", null)]
    [InlineData("big", null)]
    public void Human_sizes_become_bytes(string text, long? bytes) => Assert.Equal(bytes, SizeText.ToBytes(text));

    [Fact]
    public void Ids_are_accepted_in_both_styles() =>
        Assert.Equal("wan-22-5b-tiv2", PresetIds.Normalize("WAN_22_5B_TIV2"));

    [Fact]
    public void Our_exact_sizes_and_checksums_are_read_when_a_registry_carries_them()
    {
        var preset = PresetDefinition.FromJson(RegistryReader.ParseYaml("""
            id: tiny
            version: 1.2.0
            name: Tiny
            category: Image Generation
            type: image
            files:
            - path: vae/a.safetensors
              url: https://huggingface.co/x/y/resolve/main/a.safetensors
              size: 1MB
              size_bytes: 1048577
              sha256: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789
              source: {type: huggingface, repo: x/y, revision: 0123abc}
            - path: vae/b.safetensors
              url: https://huggingface.co/x/y/resolve/main/b.safetensors
              size: 2MB
              optional: true
              checksum: {algorithm: sha256, value: 0000000000000000000000000000000000000000000000000000000000000001}
            """));
        Assert.Equal(1048577, preset.Files[0].SizeBytes);
        Assert.True(preset.Files[0].ExactSize);
        Assert.Equal("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", preset.Files[0].Sha256);
        Assert.Equal("0123abc", preset.Files[0].Revision);
        Assert.True(preset.Files[1].Optional);
        Assert.False(preset.Files[1].ExactSize);
        Assert.EndsWith("01", preset.Files[1].Sha256);
        Assert.Equal("1.2.0", preset.Version);
    }

    [Fact]
    public async Task A_broken_preset_fails_the_whole_read_and_says_which()
    {
        CopyDirectory(Snapshot, _dir);
        File.WriteAllText(Path.Combine(_dir, "presets", "image", "flux-schnell-basic", "preset.yaml"), "id: flux-schnell-basic\nfiles: [\n");
        var error = await Assert.ThrowsAsync<FormatException>(() => RegistryReader.ReadFolderAsync(_dir));
        Assert.Contains("presets/image/flux-schnell-basic/preset.yaml", error.Message);

        File.WriteAllText(Path.Combine(_dir, "presets", "image", "flux-schnell-basic", "preset.yaml"), "id: flux-schnell-basic\nname: x\nfiles: []\n");
        error = await Assert.ThrowsAsync<FormatException>(() => RegistryReader.ReadFolderAsync(_dir));
        Assert.Contains("at least one file", error.Message);
    }

    [Theory]
    [InlineData("../../../etc/cron.d/x")]
    [InlineData("/etc/passwd")]
    [InlineData("checkpoints/../../x.safetensors")]
    [InlineData("checkpoints//x.safetensors")]
    public void A_file_path_that_could_leave_the_models_folder_makes_the_preset_broken(string path)
    {
        var error = Assert.Throws<FormatException>(() => PresetDefinition.FromJson(RegistryReader.ParseYaml($"""
            id: evil
            files:
            - path: "{path}"
              url: https://huggingface.co/x/y/resolve/main/z.safetensors
              size: 1GB
            """)));
        Assert.Contains("not a relative path inside the models folder", error.Message);
    }

    [Fact]
    public void Compatible_workflows_and_dependencies_are_read_in_the_registry_id_style()
    {
        var preset = PresetDefinition.FromJson(RegistryReader.ParseYaml("""
            id: with-deps
            requirements: {dependencies: [FLUX_SCHNELL_BASIC]}
            compatible_workflows: [{id: flux_basic, name: Flux basic}, {name: Only a name}]
            files:
            - {path: vae/a.safetensors, url: "https://huggingface.co/x/y/resolve/main/a.safetensors", size: 1MB}
            """));
        Assert.Equal(["flux-schnell-basic"], preset.Dependencies);
        Assert.Equal(["flux_basic", "Only a name"], preset.Workflows);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    public void Dispose() => TestPaths.TryDelete(_dir);
}
