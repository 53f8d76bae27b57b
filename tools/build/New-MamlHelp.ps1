<#
.SYNOPSIS
    Writes the module's MAML help (en-US/ImageFactory.dll-Help.xml) from module/help/<Cmdlet>.psd1 and the cmdlets'
    real metadata.
.DESCRIPTION
    Parameter sets, types, positions, pipeline input and aliases come from Get-Command on the assembled module, so the
    help can never disagree with the code; the prose comes from the .psd1 files. The build fails when a cmdlet has no
    help file, a parameter has no description, or a cmdlet has no example. platyPS is not available to us.
    Runs in its own pwsh process (it imports the assembled module).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $HelpSourceDirectory,
    [Parameter(Mandatory)] [string] $OutputFile
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $ModuleManifest -PassThru -Force
$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$standardDescriptions = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run and nothing in Azure is changed.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$null = New-Item -ItemType Directory -Force -Path (Split-Path $OutputFile)
$writer = [System.Xml.XmlWriter]::Create($OutputFile, $settings)

function Write-Paragraphs([string] $Text) {
    $writer.WriteStartElement('maml', 'description', $ns.maml)
    foreach ($paragraph in ($Text -split "(\r?\n){2,}" | Where-Object { $_.Trim() })) {
        $writer.WriteElementString('maml', 'para', $ns.maml, $paragraph.Trim())
    }
    $writer.WriteEndElement()
}

function Get-PipelineInputText($Parameter) {
    $kinds = @()
    if ($Parameter.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($Parameter.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Write-Parameter($Name, $Parameter, $ParameterType, [string] $Description, [bool] $Required, [string] $Position, [string] $PipelineInput) {
    $writer.WriteStartElement('command', 'parameter', $ns.command)
    $writer.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('variableLength', 'true')
    $writer.WriteAttributeString('globbing', 'false')
    $writer.WriteAttributeString('pipelineInput', $PipelineInput)
    $writer.WriteAttributeString('position', $Position)
    $aliases = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }
    $writer.WriteAttributeString('aliases', $aliases)
    $writer.WriteElementString('maml', 'name', $ns.maml, $Name)
    Write-Paragraphs $Description
    $isSwitch = $ParameterType -eq [System.Management.Automation.SwitchParameter]
    if (-not $isSwitch) {
        $writer.WriteStartElement('command', 'parameterValue', $ns.command)
        $writer.WriteAttributeString('required', 'true')
        $writer.WriteAttributeString('variableLength', 'false')
        $writer.WriteString($ParameterType.Name)
        $writer.WriteEndElement()
    }
    $writer.WriteStartElement('dev', 'type', $ns.dev)
    $writer.WriteElementString('maml', 'name', $ns.maml, $ParameterType.FullName)
    $writer.WriteEndElement()
    $writer.WriteElementString('dev', 'defaultValue', $ns.dev, $(if ($isSwitch) { 'False' } else { 'None' }))
    $writer.WriteEndElement()
}

$shared = Import-PowerShellDataFile (Join-Path $HelpSourceDirectory '_Common.psd1')
foreach ($name in $shared.Parameters.Keys) { $standardDescriptions[$name] = $shared.Parameters[$name] }

$problems = [System.Collections.Generic.List[string]]::new()
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')

foreach ($command in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $helpFile = Join-Path $HelpSourceDirectory "$($command.Name).psd1"
    if (-not (Test-Path $helpFile)) {
        $problems.Add("$($command.Name): no help file $helpFile")
        continue
    }
    $help = Import-PowerShellDataFile $helpFile
    if (-not $help.ContainsKey('Parameters')) { $help.Parameters = @{} }
    $parameters = $command.Parameters.Values | Where-Object { $_.Name -notin $commonParameters }
    foreach ($parameter in $parameters) {
        if (-not $help.Parameters.ContainsKey($parameter.Name) -and -not $standardDescriptions.ContainsKey($parameter.Name)) {
            $problems.Add("$($command.Name): parameter -$($parameter.Name) has no description in $helpFile")
        }
    }
    foreach ($documented in $help.Parameters.Keys) {
        if ($documented -notin $parameters.Name) {
            $problems.Add("$($command.Name): $helpFile describes -$documented, which the cmdlet does not have")
        }
    }
    if (-not $help.Examples -or $help.Examples.Count -lt 1) {
        $problems.Add("$($command.Name): no example in $helpFile")
    }
    $describe = { param($name) if ($help.Parameters.ContainsKey($name)) { $help.Parameters[$name] } else { $standardDescriptions[$name] } }

    $writer.WriteStartElement('command', 'command', $ns.command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $writer.WriteAttributeString('xmlns', 'command', $null, $ns.command)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

    $writer.WriteStartElement('command', 'details', $ns.command)
    $writer.WriteElementString('command', 'name', $ns.command, $command.Name)
    $writer.WriteElementString('command', 'verb', $ns.command, $command.Verb)
    $writer.WriteElementString('command', 'noun', $ns.command, $command.Noun)
    Write-Paragraphs $help.Synopsis
    $writer.WriteEndElement()

    Write-Paragraphs $help.Description

    $writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $command.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        $writer.WriteElementString('maml', 'name', $ns.maml, $command.Name)
        foreach ($p in ($set.Parameters | Where-Object { $_.Name -notin $commonParameters })) {
            $position = if ($p.Position -ge 0) { [string]$p.Position } else { 'named' }
            Write-Parameter $p.Name $p $p.ParameterType (& $describe $p.Name) $p.IsMandatory $position (Get-PipelineInputText $p)
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($parameter in ($parameters | Sort-Object Name)) {
        $sets = @($command.ParameterSets | ForEach-Object { $_.Parameters } | Where-Object Name -eq $parameter.Name)
        $first = $sets[0]
        $position = if ($first.Position -ge 0) { [string]$first.Position } else { 'named' }
        $required = [bool]($sets | Where-Object IsMandatory)
        Write-Parameter $parameter.Name $parameter $parameter.ParameterType (& $describe $parameter.Name) $required $position (Get-PipelineInputText $first)
    }
    $writer.WriteEndElement()

    foreach ($section in @(@{ Outer = 'inputTypes'; Inner = 'inputType'; Data = $help.Inputs }, @{ Outer = 'returnValues'; Inner = 'returnValue'; Data = $help.Outputs })) {
        $writer.WriteStartElement('command', $section.Outer, $ns.command)
        foreach ($typeName in ($section.Data.Keys | Sort-Object)) {
            $writer.WriteStartElement('command', $section.Inner, $ns.command)
            $writer.WriteStartElement('dev', 'type', $ns.dev)
            $writer.WriteElementString('maml', 'name', $ns.maml, $typeName)
            $writer.WriteEndElement()
            Write-Paragraphs $section.Data[$typeName]
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }

    if ($help.ContainsKey('Notes')) {
        $writer.WriteStartElement('maml', 'alertSet', $ns.maml)
        $writer.WriteStartElement('maml', 'alert', $ns.maml)
        $writer.WriteElementString('maml', 'para', $ns.maml, $help.Notes)
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'examples', $ns.command)
    $index = 0
    foreach ($example in $help.Examples) {
        $index++
        $writer.WriteStartElement('command', 'example', $ns.command)
        $writer.WriteElementString('maml', 'title', $ns.maml, "-------------------------- Example $index --------------------------")
        $writer.WriteElementString('dev', 'code', $ns.dev, $example.Code)
        $writer.WriteStartElement('dev', 'remarks', $ns.dev)
        $writer.WriteElementString('maml', 'para', $ns.maml, $example.Remarks)
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in @($help.Links)) {
        $writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $writer.WriteElementString('maml', 'linkText', $ns.maml, $link)
        $writer.WriteElementString('maml', 'uri', $ns.maml, '')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteEndElement()
}

$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()

if ($problems.Count) {
    Remove-Item $OutputFile -ErrorAction Ignore
    throw "Help is incomplete:`n  $($problems -join "`n  ")"
}
