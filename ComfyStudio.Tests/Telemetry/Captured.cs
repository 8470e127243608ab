namespace ComfyStudio.Tests.Telemetry;

/// <summary>File contents and program output as real machines print them.</summary>
internal static class Captured
{
    // nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu --format=csv,noheader,nounits

    /// <summary>An idle H100 SXM on a RunPod pod.</summary>
    public const string SmiH100 = "0, NVIDIA H100 80GB HBM3, 81559, 1, 0, 33\n";

    /// <summary>Two RTX 4090s, the first busy with a generation.</summary>
    public const string SmiTwo4090s =
        "0, NVIDIA GeForce RTX 4090, 24564, 18022, 97, 71\n" +
        "1, NVIDIA GeForce RTX 4090, 24564, 3, 0, 34\n";

    /// <summary>A MIG-enabled A100 (no utilisation per GPU) and an old card that reports no memory or temperature.</summary>
    public const string SmiNotAvailable =
        "0, NVIDIA A100-SXM4-40GB, 40960, 13, [N/A], 31\r\n" +
        "\r\n" +
        "1, NVIDIA GeForce GT 710, [Not Supported], [Not Supported], [Not Supported], [N/A]\r\n";

    public const string SmiNoDriver =
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n";

    // /proc

    public const string MemInfo = """
        MemTotal:       24684092 kB
        MemFree:        24011344 kB
        MemAvailable:   24288664 kB
        Buffers:            4004 kB
        Cached:           416324 kB
        SwapCached:            0 kB
        Active:           271816 kB
        Inactive:         144924 kB
        Active(anon):       1520 kB
        Inactive(anon):     3748 kB
        Active(file):     270296 kB
        Inactive(file):   141176 kB
        Unevictable:       12436 kB
        Mlocked:           11428 kB
        SwapTotal:             0 kB
        SwapFree:              0 kB
        Dirty:               384 kB
        Writeback:             0 kB
        AnonPages:          8952 kB
        Mapped:            10624 kB
        Shmem:              8856 kB
        HugePages_Total:       0
        HugePages_Free:        0
        Hugepagesize:       2048 kB
        """;
    public const long MemTotalBytes = 24684092L * 1024;
    public const long MemAvailableBytes = 24288664L * 1024;

    /// <summary>A big GPU host: a pod's container sees the whole machine here.</summary>
    public const string MemInfoHost = """
        MemTotal:       2113420816 kB
        MemFree:        1630243904 kB
        MemAvailable:   1985214460 kB
        Buffers:         2117324 kB
        Cached:         349734820 kB
        """;
    public const long HostMemTotalBytes = 2113420816L * 1024;

    public const string LoadAvg = "3.52 2.91 2.40 5/1234 98765\n";

    public const string CpuInfoX86 = """
        processor	: 0
        vendor_id	: AuthenticAMD
        cpu family	: 25
        model		: 1
        model name	: AMD EPYC 7763 64-Core Processor
        stepping	: 1
        microcode	: 0xa0011d1
        cpu MHz		: 2445.404
        cache size	: 512 KB
        physical id	: 0
        siblings	: 2
        core id		: 0
        cpu cores	: 1

        processor	: 1
        vendor_id	: AuthenticAMD
        cpu family	: 25
        model		: 1
        model name	: AMD EPYC 7763 64-Core Processor
        stepping	: 1
        microcode	: 0xa0011d1
        cpu MHz		: 3243.596
        cache size	: 512 KB
        physical id	: 0
        siblings	: 2
        core id		: 0
        cpu cores	: 1

        """;

    /// <summary>An ARM server: no <c>cpu MHz</c> lines at all.</summary>
    public const string CpuInfoArm = """
        processor	: 0
        BogoMIPS	: 50.00
        Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
        CPU implementer	: 0x41
        CPU architecture: 8
        CPU variant	: 0x3
        CPU part	: 0xd0c
        CPU revision	: 1

        """;

    // cgroup v2 (a container with a 64 GiB limit)

    public const string V2MemoryMax = "68719476736\n";
    public const string V2MemoryCurrent = "12884901888\n";
    public const string V2MemoryStat = """
        anon 8053063680
        file 4563402752
        kernel 201326592
        kernel_stack 2457600
        pagetables 23068672
        sec_pagetables 0
        percpu 1234560
        sock 12288
        vmalloc 28672
        shmem 2097152
        zswap 0
        zswapped 0
        file_mapped 1073741824
        file_dirty 45056
        file_writeback 0
        swapcached 0
        anon_thp 4194304
        file_thp 0
        shmem_thp 0
        inactive_anon 0
        active_anon 8055160832
        inactive_file 3221225472
        active_file 1342177280
        unevictable 0
        slab_reclaimable 150994944
        slab_unreclaimable 20971520
        slab 171966464
        workingset_refault_anon 0
        workingset_refault_file 2173
        pgfault 110830
        pgmajfault 0
        """;
    public const long V2InactiveFile = 3221225472;

    // cgroup v1 (captured on a Docker host without cgroup v2; the limit file says "no limit")

    public const string V1NoLimit = "9223372036854771712\n";
    public const string V1Limit = "34359738368\n";
    public const string V1Usage = "439480320\n";
    public const string V1MemoryStat = """
        cache 9445376
        rss 5206016
        rss_huge 0
        shmem 9068544
        mapped_file 7516160
        dirty 45056
        writeback 0
        swap 0
        pgpgin 87428
        pgpgout 83851
        pgfault 110830
        pgmajfault 0
        inactive_anon 0
        active_anon 1531904
        inactive_file 8192
        active_file 368640
        unevictable 12742656
        hierarchical_memory_limit 9223372036854771712
        hierarchical_memsw_limit 9223372036854771712
        total_cache 430432256
        total_rss 9183232
        total_rss_huge 0
        total_shmem 9068544
        total_mapped_file 10981376
        total_dirty 413696
        total_writeback 0
        total_inactive_anon 3854336
        total_active_anon 1560576
        total_inactive_file 144580608
        total_active_file 285806592
        total_unevictable 12742656
        """;
    public const long V1TotalInactiveFile = 144580608;
    public const long V1TotalRss = 9183232;

    /// <summary>/proc/self/cgroup of a process on a cgroup v1 host, inside a Docker container's cgroups.</summary>
    public const string SelfCgroupV1Docker = """
        12:pids:/docker/4f1c2a7e9b
        11:memory:/docker/4f1c2a7e9b
        10:cpu,cpuacct:/docker/4f1c2a7e9b
        1:name=systemd:/docker/4f1c2a7e9b
        0::/docker/4f1c2a7e9b
        """;

    // RunPod GraphQL and du

    public const string RunPodVolume = """{"data":{"pod":{"networkVolume":{"size":150}}}}""";
    public const string RunPodNoVolume = """{"data":{"pod":{"networkVolume":null}}}""";
    public const string RunPodError = """
        {"errors":[{"message":"Something went wrong. Please try again later or contact support.","locations":[{"line":1,"column":9}],"path":["pod"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"pod":null}}
        """;
    public const string DuOutput = "53687091200\t/workspace\n";
}
