// Nextflow: one EXTRACT task per shard, then MERGE.
//   nextflow run main.nf --manifest /data/cohort.csv --settings settings.yaml --shards 8
nextflow.enable.dsl = 2

params.manifest = 'cohort.csv'
params.settings = 'settings.yaml'
params.shards = 8
params.outdir = 'results'

process EXTRACT {
    tag "shard ${k}/${n}"
    cpus 4
    memory '8 GB'
    errorStrategy 'retry'
    maxRetries 2

    input:
    tuple val(k), val(n)
    val manifest          // absolute path, not staged: the manifest's relative paths stay valid
    path settings

    output:
    path "features-${k}-of-${n}.csv*"   // the part and its .json sidecar

    script:
    """
    status=0
    radiomics batch '${manifest}' --config '${settings}' \\
        --shard ${k}/${n} --jobs ${task.cpus} --resume \\
        -o features-${k}-of-${n}.csv || status=\$?
    # 1: some cases failed, their rows say why; the part is complete.
    if [ "\$status" -ne 0 ] && [ "\$status" -ne 1 ]; then exit "\$status"; fi
    """
}

process MERGE {
    cpus 1
    publishDir params.outdir, mode: 'copy'

    input:
    path parts
    val n

    output:
    path 'features.csv*'

    script:
    """
    radiomics merge \$(for k in \$(seq 1 ${n}); do echo features-\$k-of-${n}.csv; done) -o features.csv
    """
}

workflow {
    def n = params.shards as int
    def shards = Channel.of(1..n).map { k -> tuple(k, n) }
    def manifest = file(params.manifest).toAbsolutePath().toString()
    def parts = EXTRACT(shards, manifest, file(params.settings))
    MERGE(parts.flatten().collect(), n)
}
